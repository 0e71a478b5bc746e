"""Exponential smoothing (statsforecast's AutoETS, weekly season) over every series at once.

statsforecast is an optional extra (`aiwebpos-models[baselines]`): it is imported here, lazily, so a
store node that only scores never loads it (nor numba, which compiles its kernels on first use — a few
seconds, once per process). Series too short or too flat for ETS get the seasonal naive forecast.
"""

from datetime import date, timedelta

import polars as pl

from aiwebpos_models.forecast.baselines import seasonal_naive
from aiwebpos_models.forecast.frames import SERIES, alive_series, history_before

SEASON = 7
MIN_HISTORY_DAYS = 4 * SEASON  # ETS with a weekly season needs a few whole weeks to fit its states
FIT_WINDOW_DAYS = 26 * SEASON  # half a year is plenty for a 4-week forecast and keeps the fit fast


def _fittable(known: pl.DataFrame, origin: date) -> pl.DataFrame:
    """Series with a contiguous daily history ending the day before the origin, long and varied enough."""
    recent = known.filter(pl.col("date") >= origin - timedelta(days=FIT_WINDOW_DAYS))
    return (
        recent.join(alive_series(known).select(SERIES), on=SERIES)
        .group_by(SERIES)
        .agg(
            pl.len().alias("days"),
            pl.col("date").min().alias("first_day"),
            pl.col("date").max().alias("last_day"),
            pl.col("quantity").std().alias("spread"),
        )
        .filter(
            (pl.col("days") >= MIN_HISTORY_DAYS)
            & (pl.col("last_day") == origin - timedelta(days=1))
            & ((pl.col("last_day") - pl.col("first_day")).dt.total_days() + 1 == pl.col("days"))
            & (pl.col("spread") > 0)
        )
        .select(SERIES)
    )


def ets_forecast(history: pl.DataFrame, origin: date, horizon: int = 28) -> pl.DataFrame:
    """AutoETS(season_length=7) forecast (store_id, sku, date, forecast ≥ 0) of every series on sale."""
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS
    except ImportError as missing:  # the store node's install leaves the optional extra out
        raise ImportError("ETS needs statsforecast: install aiwebpos-models[baselines]") from missing

    known = history_before(history, origin)
    naive = seasonal_naive(known, origin, horizon, SEASON)
    fittable = _fittable(known, origin)
    if fittable.is_empty():
        return naive
    ids = fittable.with_row_index("unique_id").with_columns(pl.col("unique_id").cast(pl.Int64))
    panel = (
        known.filter(pl.col("date") >= origin - timedelta(days=FIT_WINDOW_DAYS))
        .join(ids, on=SERIES)
        .select("unique_id", pl.col("date").alias("ds"), pl.col("quantity").cast(pl.Float64).alias("y"))
        .sort("unique_id", "ds")
    )
    model = StatsForecast(models=[AutoETS(season_length=SEASON)], freq="1d", n_jobs=1)
    predicted = model.forecast(df=panel, h=horizon)
    ets = (
        pl.DataFrame(predicted)
        .with_columns(pl.col("unique_id").cast(pl.Int64))
        .join(ids, on="unique_id")
        .select(*SERIES, pl.col("ds").cast(pl.Date).alias("date"), pl.col("AutoETS").alias("ets"))
    )
    return (
        naive.join(ets, on=[*SERIES, "date"], how="left")
        .select(
            *SERIES,
            "date",
            pl.coalesce(pl.col("ets").fill_nan(None), "forecast").clip(lower_bound=0.0).alias("forecast"),
        )
        .sort([*SERIES, "date"])
    )
