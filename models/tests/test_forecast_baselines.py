"""Seasonal naive and AutoETS baselines."""

import time
from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest

from aiwebpos_models.forecast.baselines import seasonal_naive
from aiwebpos_models.forecast.ets import ets_forecast

ORIGIN = date(2025, 6, 2)  # a Monday


def series(sku: str, values: list[float], store: str = "S1", end: date = ORIGIN) -> pl.DataFrame:
    """A daily series whose last day is the day before `end`."""
    first = end - timedelta(days=len(values))
    return pl.DataFrame(
        {
            "store_id": store,
            "sku": sku,
            "category": "grocery",
            "date": [first + timedelta(days=i) for i in range(len(values))],
            "quantity": [float(v) for v in values],
        }
    )


def forecast_of(frame: pl.DataFrame, sku: str) -> list[float]:
    return frame.filter(pl.col("sku") == sku).sort("date")["forecast"].to_list()


@pytest.mark.parametrize(
    ("history", "horizon", "expected"),
    [
        ([9, 9, 9, 1, 2, 3, 4, 5, 6, 7], 7, [1, 2, 3, 4, 5, 6, 7]),  # last week, day for day
        ([1, 2, 3, 4, 5, 6, 7], 10, [1, 2, 3, 4, 5, 6, 7, 1, 2, 3]),  # and again the week after
        ([2, 4], 3, [3, 3, 3]),  # too young for a whole week: its mean
    ],
)
def test_seasonal_naive_repeats_the_last_full_week(
    history: list[float], horizon: int, expected: list[float]
) -> None:
    result = seasonal_naive(series("A", history), ORIGIN, horizon)
    assert forecast_of(result, "A") == expected
    assert result["date"].min() == ORIGIN


def test_seasonal_naive_skips_series_that_left_the_range() -> None:
    alive = series("A", [1] * 14)
    gone = series("B", [5] * 7, end=ORIGIN - timedelta(days=3))
    result = seasonal_naive(pl.concat([alive, gone]), ORIGIN, 7)
    assert result["sku"].unique().to_list() == ["A"]


def test_seasonal_naive_ignores_anything_at_or_after_the_origin() -> None:
    history = series("A", [1, 2, 3, 4, 5, 6, 7])
    future = series("A", [100] * 7, end=ORIGIN + timedelta(days=7))
    assert seasonal_naive(pl.concat([history, future]), ORIGIN, 7).equals(seasonal_naive(history, ORIGIN, 7))


def test_ets_follows_a_weekly_pattern_and_falls_back_for_short_series() -> None:
    rng = np.random.default_rng(5)
    weekly = np.array([6, 5, 5, 6, 9, 12, 3], dtype=float)
    long = (np.tile(weekly, 16) + rng.normal(0, 0.3, 112)).clip(0).tolist()
    flat_then_ends = [4.0] * 60
    short = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    history = pl.concat([series("WEEKLY", long), series("FLAT", flat_then_ends), series("SHORT", short)])
    started = time.perf_counter()
    result = ets_forecast(history, ORIGIN, 14)
    elapsed = time.perf_counter() - started
    assert elapsed < 30, f"AutoETS took {elapsed:.1f} s (numba compiles on first use)"
    expected_weekly = np.tile(weekly, 2)  # ORIGIN is a Monday, like the series' first day
    assert np.abs(np.array(forecast_of(result, "WEEKLY")) - expected_weekly).max() < 1.0
    assert forecast_of(result, "FLAT") == [4.0] * 14  # no variation: seasonal naive
    assert forecast_of(result, "SHORT") == [4, 5, 6, 7, 8, 9, 10] * 2  # too short for ETS
    assert result["forecast"].min() >= 0  # type: ignore[operator]
