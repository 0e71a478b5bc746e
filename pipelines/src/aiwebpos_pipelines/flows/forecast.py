"""`train-forecast`: demand per store × SKU × day, 28 days ahead.

Backtests the global HistGradientBoosting model beside the RandomForest of the original design, the
seasonal-naive baseline and statsforecast's AutoETS on the same rolling origins; logs every score
(CONTRACTS.md §4: `backtest_rmsse`, `backtest_wape`, `baseline_seasonal_naive_rmsse`,
`baseline_seasonal_naive_wape`, and `rf_*`, `ets_*` beside them); fits the model on all the history,
registers it (champion when its backtest RMSSE beats the champion's), and writes the next 28 days'
forecast (`forecasts`) and the reorder suggestions made from it (`reorder_suggestions`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from aiwebpos_models.bundle import save_bundle
from aiwebpos_models.demand import daily_demand, on_hand_now
from aiwebpos_models.forecast.backtest import RetrainingForecaster, backtest
from aiwebpos_models.forecast.baselines import seasonal_naive
from aiwebpos_models.forecast.ets import ets_forecast
from aiwebpos_models.forecast.model import DemandForecaster, Kind
from aiwebpos_models.reorder import suggest_orders
from aiwebpos_pipelines import lake, registry

QUERIES = {
    "sale_lines": """SELECT store_id, date, sku, quantity, unit_price_cents, discount_cents, total_cents,
                            price_overridden
                     FROM sale_lines WHERE date >= $1""",
    "return_lines": "SELECT store_id, date, sku, quantity FROM return_lines WHERE date >= $1",
    "products": "SELECT * FROM products",
    "stock_movements": "SELECT store_id, date, occurred_at, sku, quantity, kind, on_hand FROM stock_movements",
    "all_sale_lines": "SELECT store_id, date, occurred_at, sku, quantity FROM sale_lines",
    "all_return_lines": "SELECT store_id, date, occurred_at, sku, quantity FROM return_lines",
}
MODEL: Kind = "hgb"
MIN_TRAINING_DAYS = 56  # the history behind a backtest origin that the model needs to learn from


def feasible_folds(demand: pl.DataFrame, folds: int, horizon: int) -> int:
    """As many of the `folds` rolling origins as the history holds (each needs `horizon` days of its own
    after MIN_TRAINING_DAYS); NoData when not even one fits."""
    first, last = demand.get_column("date").min(), demand.get_column("date").max()
    assert isinstance(first, date) and isinstance(last, date)
    days = (last - first).days + 1
    fits = (days - MIN_TRAINING_DAYS) // horizon
    if fits < 1:
        raise lake.NoData(
            f"{days} days of sales are too few to backtest a {horizon}-day forecast: "
            f"it needs at least {MIN_TRAINING_DAYS + horizon}"
        )
    return min(folds, fits)


@dataclass
class Inputs:
    demand: pl.DataFrame
    products: pl.DataFrame
    on_hand: pl.DataFrame
    last_day: date


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def build_features(lakehouse: Path, days: int) -> Inputs:
    last = lake.last_sales_date(lakehouse)
    if last is None:
        raise lake.NoData(f"{lakehouse} holds no sales yet: nothing to forecast from")
    f = lake.frames(lakehouse, QUERIES, [last - timedelta(days=days - 1)])
    if f["products"].is_empty():
        raise lake.NoData(
            f"{lakehouse} has no `products` table rows: the catalog master is needed for categories"
        )
    demand = daily_demand(f["sale_lines"], f["products"], f["return_lines"], end=last)
    on_hand = on_hand_now(
        f["stock_movements"], f["all_sale_lines"], f["all_return_lines"], last + timedelta(days=1)
    )
    return Inputs(demand, f["products"], on_hand, last)


@task(cache_policy=NO_CACHE)  # inputs are frames: nothing to gain from hashing them
def run_backtest(demand: pl.DataFrame, folds: int, horizon: int, with_ets: bool) -> dict[str, float]:
    forecasters: dict[str, Any] = {
        MODEL: RetrainingForecaster(MODEL),
        "rf": RetrainingForecaster("rf"),
        "seasonal_naive": seasonal_naive,
    }
    if with_ets:
        forecasters["ets"] = ets_forecast
    summary = backtest(demand, forecasters, folds=folds, horizon=horizon, step=horizon).summary()
    return {
        "backtest_rmsse": summary[f"{MODEL}_rmsse"],
        "backtest_wape": summary[f"{MODEL}_wape"],
        "baseline_seasonal_naive_rmsse": summary["seasonal_naive_rmsse"],
        "baseline_seasonal_naive_wape": summary["seasonal_naive_wape"],
        **{
            name: value for name, value in summary.items() if not name.startswith(("hgb_", "seasonal_naive_"))
        },
    }


@task(cache_policy=NO_CACHE)  # inputs are frames: nothing to gain from hashing them
def fit_final(demand: pl.DataFrame, horizon: int, seed: int) -> DemandForecaster:
    return DemandForecaster(MODEL, random_state=seed).fit(demand, horizon=horizon)


def forecast_rows(model: DemandForecaster, inputs: Inputs, horizon: int, version: str) -> pl.DataFrame:
    origin = inputs.last_day + timedelta(days=1)
    return model.predict(inputs.demand, origin, horizon).with_columns(
        pl.lit(origin).alias("origin"),
        pl.lit(registry.FORECAST).alias("model"),
        pl.lit(version).alias("model_version"),
    )


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def log_and_register(
    model: DemandForecaster,
    inputs: Inputs,
    metrics: dict[str, float],
    params: dict[str, Any],
    mlflow_uri: str,
) -> registry.Registered:
    stores = sorted(inputs.demand.get_column("store_id").unique().to_list())
    manifest = {
        "kind": "forecast",
        **model.metadata(),
        "stores": stores,
        "trained_through": inputs.last_day.isoformat(),
        "metrics": metrics,
    }

    def save(folder: Path) -> tuple[Path, dict[str, Path]]:
        return save_bundle(folder / "bundle", {"estimator": model.estimator}, manifest), {}

    training = registry.Training(
        registry.FORECAST,
        params,
        metrics,
        "backtest_rmsse",
        lower_is_better=True,
        description="Daily demand per store × SKU, 28 days ahead (global HistGradientBoosting)",
        tags={"stores": ",".join(stores)},  # what `watch` compares with the stores selling now
    )
    return registry.record(mlflow_uri, training, save)


@flow(name="train-forecast")
def train_forecast(
    lakehouse: str,
    mlflow_uri: str,
    days: int = 730,
    horizon: int = 28,
    folds: int = 3,
    with_ets: bool = True,
    service_level: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Backtest, train, register; write `forecasts` and `reorder_suggestions` from the new model."""
    logger = get_run_logger()
    path = Path(lakehouse)
    inputs = build_features(path, days)
    folds = feasible_folds(inputs.demand, folds, horizon)
    metrics = run_backtest(inputs.demand, folds, horizon, with_ets)
    model = fit_final(inputs.demand, horizon, seed)
    params = {
        "days": days,
        "horizon": horizon,
        "folds": folds,
        "model": MODEL,
        "series": inputs.demand.select("store_id", "sku").unique().height,
        **{f"{MODEL}_{k}": v for k, v in model.params.items()},
    }
    registered = log_and_register(model, inputs, metrics, params, mlflow_uri)
    forecasts = forecast_rows(model, inputs, horizon, registered.version)
    lake.write_output(path, "forecasts", forecasts)
    orders = suggest_orders(
        forecasts,
        inputs.on_hand,
        None,
        inputs.products,
        service_level=service_level,
        residual_sd=model.residual_sd,
    )
    lake.write_output(
        path,
        "reorder_suggestions",
        orders.with_columns(
            pl.lit(registry.FORECAST).alias("model"), pl.lit(registered.version).alias("model_version")
        ),
    )
    logger.info(
        "%s; RMSSE %.3f vs seasonal naive %.3f; %d reorder suggestions",
        registered.describe(),
        metrics["backtest_rmsse"],
        metrics["baseline_seasonal_naive_rmsse"],
        orders.filter(pl.col("suggested_qty") > 0).height,
    )
    return {"registered": registered, "metrics": metrics}
