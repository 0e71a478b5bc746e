"""The catalog file both a store node (`aiwebpos-edge catalog import`) and HQ (`aiwebpos-cloud hq
catalog-import`) read: CSV, UTF-8 (a spreadsheet's byte-order mark is fine), one product per line, so
the file a chain keeps its range in loads into either."""

import csv
from collections.abc import Iterator
from pathlib import Path

COLUMNS = ("sku", "name", "price_cents", "vat_class", "unit", "category", "barcodes", "plu")
REQUIRED = COLUMNS[:4]  # unit defaults to each; category, barcodes and plu may be empty
BARCODE_SEPARATOR = "|"


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Each product line with its line number in the file (the header is line 1), for error messages.
    ValueError when a required column is missing."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"{path} lacks the column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
            )
        yield from enumerate(reader, start=2)


def barcodes_in(cell: str | None) -> list[str]:
    """The barcodes of a product's `barcodes` cell, blanks dropped."""
    return [code.strip() for code in (cell or "").split(BARCODE_SEPARATOR) if code.strip()]
