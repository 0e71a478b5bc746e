"""Shapes shared by every forecaster: which series to forecast at an origin, and the days ahead."""

from datetime import date, timedelta

import polars as pl

SERIES = ["store_id", "sku"]
FORECAST_SCHEMA = {"store_id": pl.String(), "sku": pl.String(), "date": pl.Date(), "forecast": pl.Float64()}


def history_before(demand: pl.DataFrame, origin: date) -> pl.DataFrame:
    """What is known at `origin`: the days strictly before it (the only door to the past for a model)."""
    return demand.filter(pl.col("date") < origin)


def alive_series(history: pl.DataFrame) -> pl.DataFrame:
    """Series still on sale at the end of the history (their last day is the history's last day):
    a series whose grid stopped earlier was discontinued and needs no forecast."""
    if history.is_empty():
        return pl.DataFrame(schema={"store_id": pl.String(), "sku": pl.String(), "category": pl.String()})
    last_day = history["date"].max()
    return (
        history.group_by(SERIES)
        .agg(pl.col("category").last(), pl.col("date").max().alias("last_day"))
        .filter(pl.col("last_day") == last_day)
        .select(*SERIES, "category")
        .sort(SERIES)
    )


def horizon_days(origin: date, horizon: int) -> list[date]:
    return [origin + timedelta(days=step) for step in range(horizon)]


def horizon_grid(series: pl.DataFrame, origin: date, horizon: int) -> pl.DataFrame:
    """Every series × every forecast day (keeps the series' other columns)."""
    days = pl.DataFrame({"date": horizon_days(origin, horizon)}, schema={"date": pl.Date()})
    return series.join(days, how="cross")


def empty_forecast() -> pl.DataFrame:
    return pl.DataFrame(schema=FORECAST_SCHEMA)
