"""The demand forecaster learns the calendar and prices, and survives serialisation."""

import itertools
import json
import pickle
from datetime import date, timedelta

import polars as pl
import pytest
from models_synthetic import Shop, synthetic_demand

from aiwebpos_models.forecast.model import DemandForecaster, training_origins

SHOP = Shop(stores=2, skus=6, days=300, seed=11)
ORIGIN = date(2025, 10, 6)  # the forecast runs over October's month-end payday (Friday 31st)


@pytest.fixture(scope="module")
def demand() -> pl.DataFrame:
    return synthetic_demand(SHOP).drop("expected")


@pytest.fixture(scope="module")
def history(demand: pl.DataFrame) -> pl.DataFrame:
    return demand.filter(pl.col("date") < ORIGIN)


@pytest.fixture(scope="module")
def hgb(history: pl.DataFrame) -> DemandForecaster:
    return DemandForecaster("hgb").fit(history)


def test_forecasts_cover_every_live_series_and_day_and_are_never_negative(
    hgb: DemandForecaster, history: pl.DataFrame
) -> None:
    forecast = hgb.predict(history, ORIGIN, 28)
    assert forecast.columns == ["store_id", "sku", "date", "forecast"]
    assert forecast.height == 2 * 6 * 28
    assert forecast["date"].min() == ORIGIN and forecast["date"].max() == ORIGIN + timedelta(days=27)
    assert forecast["forecast"].min() >= 0  # type: ignore[operator]


def test_the_forecast_peaks_on_payday_and_saturdays(hgb: DemandForecaster, history: pl.DataFrame) -> None:
    daily = hgb.predict(history, ORIGIN, 28).group_by("date").agg(pl.col("forecast").sum())
    total = dict(zip(daily["date"].to_list(), daily["forecast"].to_list(), strict=True))
    mid_month_tuesday, saturday = date(2025, 10, 14), date(2025, 10, 18)
    assert total[saturday] > 1.3 * total[mid_month_tuesday]
    # Payday Friday 31 Oct vs a mid-month Friday: the calendar says ×1.45.
    assert total[date(2025, 10, 31)] > 1.2 * total[date(2025, 10, 17)]


def test_a_planned_promotion_raises_the_forecast(hgb: DemandForecaster, history: pl.DataFrame) -> None:
    regular = hgb.predict(history, ORIGIN, 14)
    last_price = history.group_by("store_id", "sku").agg(pl.col("regular_price_cents").last())
    plan = (
        regular.select("store_id", "sku", "date")
        .join(last_price, on=["store_id", "sku"])
        .with_columns((pl.col("regular_price_cents") * 0.7).round().cast(pl.Int64).alias("price_cents"))
    )
    promoted = hgb.predict(history, ORIGIN, 14, future_prices=plan)
    assert promoted["forecast"].sum() > 1.3 * regular["forecast"].sum()


def test_a_sku_new_to_the_store_gets_a_forecast_from_its_category(
    hgb: DemandForecaster, history: pl.DataFrame
) -> None:
    plan = pl.DataFrame(
        {
            "store_id": "S2",
            "sku": "NEW",
            "category": "household",
            "date": [ORIGIN + timedelta(days=i) for i in range(28)],
            "price_cents": 2499,
        }
    )
    forecast = hgb.predict(history, ORIGIN, 28, future_prices=plan)
    new = forecast.filter(pl.col("sku") == "NEW")
    assert new.height == 28
    assert new["forecast"].mean() > 0.5  # type: ignore[operator]


def test_residual_sd_is_of_the_order_of_the_poisson_noise(
    hgb: DemandForecaster, history: pl.DataFrame
) -> None:
    recent = history.filter(pl.col("date") >= ORIGIN - timedelta(days=28))
    level = recent.group_by("store_id", "sku").agg(pl.col("quantity").mean().alias("level"))
    spread = hgb.residual_sd.join(level, on=["store_id", "sku"])
    assert spread.height == 12
    ratio = spread["residual_sd"] / spread["level"].sqrt()
    assert ratio.min() > 0.7 and ratio.max() < 3.0  # type: ignore[operator]


def test_a_forecaster_rebuilt_from_its_parts_predicts_the_same(
    hgb: DemandForecaster, history: pl.DataFrame
) -> None:
    metadata = json.loads(json.dumps(hgb.metadata()))
    rebuilt = DemandForecaster.from_parts(hgb.estimator, metadata)  # type: ignore[arg-type]
    unpickled = pickle.loads(pickle.dumps(hgb))
    expected = hgb.predict(history, ORIGIN, 7)
    assert rebuilt.predict(history, ORIGIN, 7).equals(expected)
    assert unpickled.predict(history, ORIGIN, 7).equals(expected)
    assert rebuilt.residual_sd.equals(hgb.residual_sd)


def test_the_random_forest_baseline_trains_and_forecasts(history: pl.DataFrame) -> None:
    forest = DemandForecaster("rf", {"n_estimators": 20}).fit(history)
    forecast = forest.predict(history, ORIGIN, 7)
    assert forecast.height == 2 * 6 * 7
    assert forecast["forecast"].min() >= 0  # type: ignore[operator]


def test_training_origins_are_weekly_and_leave_room_for_history_and_horizon(demand: pl.DataFrame) -> None:
    origins = training_origins(demand, horizon=28, count=50, step_days=7)
    last_day = SHOP.start + timedelta(days=SHOP.days - 1)
    assert origins[-1] == last_day - timedelta(days=27)
    assert origins[0] >= SHOP.start + timedelta(days=28)
    assert {(b - a).days for a, b in itertools.pairwise(origins)} == {7}


def test_an_unknown_kind_or_an_unfitted_model_is_refused(history: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match="unknown forecaster kind"):
        DemandForecaster("xgboost")  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="not fitted"):
        DemandForecaster().predict(history, ORIGIN)
