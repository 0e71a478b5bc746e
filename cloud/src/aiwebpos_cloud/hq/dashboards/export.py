"""A dashboard's frame as a file to download: CSV (spreadsheets) or Parquet (analysts, exact types)."""

import io

import polars as pl


def to_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a header row; decimals and dates as text, exactly as in the frame."""
    return frame.write_csv().encode("utf-8")


def to_parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()
