"""Forecast features: what is known at the origin, and nothing after it."""

from datetime import date, timedelta

import polars as pl
import pytest
from models_synthetic import Shop, synthetic_demand

from aiwebpos_models.forecast.calendar_features import calendar_row
from aiwebpos_models.forecast.features import (
    FEATURES,
    TARGET,
    make_features,
    scoring_targets,
    training_examples,
)

SHOP = Shop(stores=2, skus=4, days=120, seed=3)
ORIGIN = SHOP.start + timedelta(days=90)


@pytest.fixture(scope="module")
def demand() -> pl.DataFrame:
    return synthetic_demand(SHOP).drop("expected")


def window(demand: pl.DataFrame, origin: date, days: int = 28) -> pl.DataFrame:
    return demand.filter((pl.col("date") >= origin) & (pl.col("date") < origin + timedelta(days=days)))


def test_features_never_see_data_after_the_origin(demand: pl.DataFrame) -> None:
    targets = window(demand, ORIGIN)
    poisoned = demand.with_columns(
        pl.when(pl.col("date") >= ORIGIN)
        .then(pl.col(TARGET) * 1000 + 7)
        .otherwise(pl.col(TARGET))
        .alias(TARGET)
    )
    clean = make_features(demand, ORIGIN, targets).select(FEATURES)
    dirty = make_features(poisoned, ORIGIN, targets).select(FEATURES)
    assert clean.equals(dirty)


def test_features_are_complete_numbers_and_horizon_counts_from_one(demand: pl.DataFrame) -> None:
    rows = make_features(demand, ORIGIN, window(demand, ORIGIN))
    assert rows.select(FEATURES).null_count().sum_horizontal().item() == 0
    assert all(rows.schema[name] == pl.Float64 for name in FEATURES)
    assert rows["horizon"].min() == 1 and rows["horizon"].max() == 28
    assert (rows["origin"] == ORIGIN).all()


def test_lag_features_are_the_means_before_the_origin(demand: pl.DataFrame) -> None:
    rows = make_features(demand, ORIGIN, window(demand, ORIGIN))
    series = demand.filter((pl.col("store_id") == "S1") & (pl.col("sku") == "SKU000"))
    last_week = series.filter((pl.col("date") < ORIGIN) & (pl.col("date") >= ORIGIN - timedelta(days=7)))
    same_weekday = series.filter(
        (pl.col("date") < ORIGIN)
        & (pl.col("date") >= ORIGIN - timedelta(days=28))
        & (pl.col("date").dt.weekday() == ORIGIN.isoweekday())
    )
    first = rows.filter(
        (pl.col("store_id") == "S1") & (pl.col("sku") == "SKU000") & (pl.col("date") == ORIGIN)
    )
    assert first["mean_7"].item() == pytest.approx(last_week[TARGET].mean())
    assert first["same_weekday_mean_4w"].item() == pytest.approx(same_weekday[TARGET].mean())
    assert first["history_days"].item() == 90


@pytest.mark.parametrize(
    ("day", "to_payday", "since_payday"),
    [
        (date(2025, 1, 31), 0, 0),  # Friday 31 January is payday
        (date(2025, 2, 3), 25, 3),  # the Monday after; next payday is Friday 28 February
        (date(2025, 5, 29), 1, 29),  # payday is 30 May (Friday)
        (date(2025, 11, 30), 31, 2),  # Sunday: November's payday was Friday 28th
    ],
)
def test_calendar_features_count_days_to_and_from_the_month_end_payday(
    day: date, to_payday: int, since_payday: int
) -> None:
    row = calendar_row(day)
    assert (row["days_to_payday"], row["days_since_payday"]) == (to_payday, since_payday)


def test_calendar_features_mark_holidays_and_eves() -> None:
    assert calendar_row(date(2025, 12, 25))["public_holiday"] == 1.0
    assert calendar_row(date(2025, 12, 24))["eve"] == 1.0
    assert (
        calendar_row(date(2025, 12, 22))["public_holiday"] == calendar_row(date(2025, 12, 22))["eve"] == 0.0
    )


def test_a_series_without_history_takes_its_category_level_in_the_store(demand: pl.DataFrame) -> None:
    plan = pl.DataFrame(
        {
            "store_id": "S1",
            "sku": "BRAND-NEW",
            "category": "grocery",
            "date": [ORIGIN + timedelta(days=i) for i in range(28)],
            "price_cents": 1999,
        }
    )
    targets = scoring_targets(demand, ORIGIN, 28, plan)
    rows = make_features(demand, ORIGIN, targets).filter(pl.col("sku") == "BRAND-NEW")
    assert rows.height == 28
    assert (rows["mean_28"] == rows["category_store_mean_56"]).all()
    assert rows["category_store_mean_56"].min() > 0
    assert (rows["history_days"] == 0).all()
    assert (rows["price_ratio"] == 1.0).all()


def test_scoring_targets_default_to_the_last_regular_price_without_promotion(demand: pl.DataFrame) -> None:
    targets = scoring_targets(demand, ORIGIN, 14)
    assert targets.height == 2 * 4 * 14
    assert (targets["price_cents"] == targets["regular_price_cents"]).all()
    assert not targets["on_promo"].any()


def test_training_examples_hold_each_origins_horizon(demand: pl.DataFrame) -> None:
    origins = [ORIGIN - timedelta(days=14), ORIGIN]
    examples = training_examples(demand, origins, 7)
    assert examples.group_by("origin").len().sort("origin")["len"].to_list() == [2 * 4 * 7] * 2
    assert (examples["date"] >= examples["origin"]).all()
