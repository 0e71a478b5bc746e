"""Rolling-origin backtests: honest folds, correct scores, and the models' ranking on known data."""

from datetime import date, timedelta

import polars as pl
import pytest
from models_synthetic import Shop, synthetic_demand

from aiwebpos_models.forecast.backtest import BacktestReport, RetrainingForecaster, backtest, backtest_origins
from aiwebpos_models.forecast.baselines import seasonal_naive
from aiwebpos_models.forecast.ets import ets_forecast

SHOP = Shop(stores=2, skus=6, days=300, seed=21)


@pytest.fixture(scope="module")
def demand() -> pl.DataFrame:
    return synthetic_demand(SHOP).drop("expected")


@pytest.fixture(scope="module")
def report(demand: pl.DataFrame) -> BacktestReport:
    forecasters = {
        "hgb": RetrainingForecaster("hgb"),
        "rf": RetrainingForecaster("rf"),
        "ets": ets_forecast,
        "seasonal_naive": seasonal_naive,
    }
    return backtest(demand, forecasters, folds=3, horizon=28, step=28)


def test_hgb_beats_seasonal_naive_on_series_with_paydays(report: BacktestReport) -> None:
    metrics = report.summary()
    assert metrics["hgb_rmsse"] < 0.8 * metrics["seasonal_naive_rmsse"]
    assert metrics["hgb_wape"] < 0.8 * metrics["seasonal_naive_wape"]


def test_random_forest_and_ets_also_beat_seasonal_naive(report: BacktestReport) -> None:
    metrics = report.summary()
    assert metrics["rf_rmsse"] < metrics["seasonal_naive_rmsse"]
    assert metrics["ets_rmsse"] < metrics["seasonal_naive_rmsse"]


def test_the_report_scores_every_model_per_fold_and_overall(
    report: BacktestReport, demand: pl.DataFrame
) -> None:
    scores = report.scores()
    assert scores.height == 4 * (3 + 1)
    assert set(report.summary()) == {
        f"{m}_{s}" for m in ("hgb", "rf", "ets", "seasonal_naive") for s in ("wape", "rmsse")
    }
    per_fold = report.predictions.filter(pl.col("model") == "hgb").group_by("fold").len()
    assert per_fold["len"].to_list() == [2 * 6 * 28] * 3
    assert scores["missing"].sum() == 0
    last_day = demand["date"].max()
    assert report.predictions["date"].max() == last_day


def test_backtest_never_uses_data_after_the_origin(demand: pl.DataFrame) -> None:
    seen: list[tuple[date, date]] = []

    def spy(history: pl.DataFrame, origin: date, horizon: int) -> pl.DataFrame:
        seen.append((history["date"].max(), origin))  # type: ignore[arg-type]
        return seasonal_naive(history, origin, horizon)

    backtest(demand, {"spy": spy}, folds=3)
    assert len(seen) == 3 and all(last < origin for last, origin in seen)

    origin = backtest_origins(demand, 1, 28, 28)[0]
    poisoned = demand.with_columns(
        pl.when(pl.col("date") >= origin).then(pl.col("quantity") * 50 + 3).otherwise(pl.col("quantity"))
    )
    model = {"hgb": RetrainingForecaster("hgb", origins=4)}
    clean = backtest(demand, model, origins=[origin]).predictions["forecast"]
    dirty = backtest(poisoned, model, origins=[origin]).predictions["forecast"]
    assert clean.equals(dirty)


def test_folds_step_back_from_the_last_day(demand: pl.DataFrame) -> None:
    last_day = demand["date"].max()
    assert isinstance(last_day, date)
    origins = backtest_origins(demand, folds=3, horizon=28, step=14)
    assert origins == [last_day - timedelta(days=27 + 14 * i) for i in (2, 1, 0)]


def test_a_perfect_forecast_scores_zero_and_a_missing_series_is_counted_as_zero(demand: pl.DataFrame) -> None:
    def oracle(history: pl.DataFrame, origin: date, horizon: int) -> pl.DataFrame:
        return demand.filter(pl.col("date") >= origin).select(
            "store_id", "sku", "date", pl.col("quantity").alias("forecast")
        )

    def forgetful(history: pl.DataFrame, origin: date, horizon: int) -> pl.DataFrame:
        return oracle(history, origin, horizon).filter(pl.col("sku") != "SKU000")

    result = backtest(demand, {"oracle": oracle, "forgetful": forgetful}, folds=2)
    metrics = result.summary()
    assert metrics["oracle_wape"] == 0.0 and metrics["oracle_rmsse"] == 0.0
    forgotten = result.predictions.filter((pl.col("model") == "forgetful") & (pl.col("sku") == "SKU000"))
    assert (forgotten["forecast"] == 0).all()
    missing = (
        result.scores().filter((pl.col("model") == "forgetful") & pl.col("fold").is_null())["missing"].item()
    )
    assert missing == forgotten.height == 2 * 2 * 28
    assert metrics["forgetful_wape"] == pytest.approx(
        forgotten["actual"].sum() / result.predictions.filter(pl.col("model") == "forgetful")["actual"].sum()
    )
