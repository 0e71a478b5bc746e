"""Seasonal naive: next week looks like last week. The bar any forecasting model must clear."""

from datetime import date, timedelta

import polars as pl

from aiwebpos_models.forecast.frames import SERIES, alive_series, empty_forecast, history_before, horizon_grid


def seasonal_naive(history: pl.DataFrame, origin: date, horizon: int = 28, season: int = 7) -> pl.DataFrame:
    """Each target day takes the value of the same day of the season (weekday) in the last full season
    before the origin; a series too young to have that day takes its mean over the days it has."""
    known = history_before(history, origin)
    series = alive_series(known)
    if series.is_empty():
        return empty_forecast()
    last_season = known.filter(pl.col("date") >= origin - timedelta(days=season)).select(
        *SERIES, "date", pl.col("quantity").alias("last_season_value")
    )
    fallback = (
        known.filter(pl.col("date") >= origin - timedelta(days=4 * season))
        .group_by(SERIES)
        .agg(pl.col("quantity").mean().alias("recent_mean"))
    )
    # The same phase one season back: origin − season + ((target − origin) mod season).
    days_ahead = (pl.col("date") - pl.lit(origin)).dt.total_days()
    source_day = pl.lit(origin) - pl.duration(days=season) + pl.duration(days=days_ahead % season)
    return (
        horizon_grid(series.select(SERIES), origin, horizon)
        .with_columns(source_day.cast(pl.Date).alias("source_day"))
        .join(last_season.rename({"date": "source_day"}), on=[*SERIES, "source_day"], how="left")
        .join(fallback, on=SERIES, how="left")
        .select(
            *SERIES,
            "date",
            pl.coalesce("last_season_value", "recent_mean", pl.lit(0.0)).cast(pl.Float64).alias("forecast"),
        )
        .sort([*SERIES, "date"])
    )
