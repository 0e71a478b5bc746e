"""`train-pricing`: price elasticities per category and SKU, and the price proposals made with them.

Logs `backtest_promo_wape` (units on promotion days predicted with the elasticities fitted before a
holdout) beside `baseline_no_price_effect_wape` (the same days predicted as if price did nothing); the
version becomes champion when its promo WAPE beats the champion's. Writes `price_recommendations`:
markdowns and regular price moves, every one "proposed" — nothing here changes a price; a manager
approves or rejects each (`aiwebpos-pipelines prices`), and HQ pushes the approved ones to the stores.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from aiwebpos_models.bundle import save_bundle
from aiwebpos_models.forecast.baselines import seasonal_naive
from aiwebpos_models.pricing.elasticity import category_elasticities, sku_elasticities
from aiwebpos_models.pricing.evaluate import promo_backtest
from aiwebpos_models.pricing.recommend import recommend
from aiwebpos_pipelines import lake, registry
from aiwebpos_pipelines.flows.forecast import Inputs, build_features

HOLDOUT_DAYS = 56


@task(cache_policy=NO_CACHE)  # inputs are frames: nothing to gain from hashing them
def estimate(inputs: Inputs) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, float]]:
    origin = inputs.last_day - timedelta(days=HOLDOUT_DAYS - 1)
    held_out = promo_backtest(inputs.demand, origin)
    categories = category_elasticities(inputs.demand)
    skus = sku_elasticities(inputs.demand, categories)
    metrics = {
        "backtest_promo_wape": held_out.wape,
        "baseline_no_price_effect_wape": held_out.baseline_wape,
        "backtest_promo_days": float(held_out.promo_days),
        "categories": float(categories.height),
        "skus_with_own_elasticity": float(skus.filter(pl.col("source") == "shrunk").height),
        "median_elasticity": float(skus.get_column("elasticity").cast(pl.Float64).median() or float("nan")),  # type: ignore[arg-type]
    }
    return categories, skus, metrics


def demand_forecast(lakehouse: Path, inputs: Inputs, window_days: int) -> pl.DataFrame:
    """The champion's latest `forecasts` when they cover the window, else seasonal naive (and say so)."""
    start = inputs.last_day + timedelta(days=1)
    if (lakehouse / "forecasts").is_dir():
        found = lake.frames(
            lakehouse, {"f": "SELECT store_id, sku, date, forecast FROM forecasts WHERE date >= $1"}, [start]
        )["f"]
        if not found.is_empty():
            return found
    get_run_logger().warning("no forecasts from train-forecast yet: proposing from a seasonal-naive forecast")
    return seasonal_naive(inputs.demand, start, window_days)


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def log_and_register(
    categories: pl.DataFrame, skus: pl.DataFrame, metrics: dict[str, float], params: dict[str, Any], uri: str
) -> registry.Registered:
    manifest = {
        "kind": "pricing",
        "category_elasticities": categories.to_dicts(),
        "sku_elasticities": skus.select("sku", "category", "elasticity", "std_error", "source").to_dicts(),
        "metrics": metrics,
    }

    def save(folder: Path) -> tuple[Path, dict[str, Path]]:
        table = folder / "sku_elasticities.csv"
        skus.write_csv(table)
        return save_bundle(folder / "bundle", {}, manifest), {"elasticities": table}

    training = registry.Training(
        registry.PRICING,
        params,
        metrics,
        "backtest_promo_wape",
        lower_is_better=True,
        description="Price elasticities per category and SKU (Poisson, shrunk toward the category)",
    )
    return registry.record(uri, training, save)


@flow(name="train-pricing")
def train_pricing(lakehouse: str, mlflow_uri: str, days: int = 365, window_days: int = 28) -> dict[str, Any]:
    """Estimate, backtest and register elasticities; write `price_recommendations` (all proposed)."""
    logger = get_run_logger()
    path = Path(lakehouse)
    inputs = build_features(path, days)
    categories, skus, metrics = estimate(inputs)
    params = {"days": days, "window_days": window_days, "holdout_days": HOLDOUT_DAYS}
    registered = log_and_register(categories, skus, metrics, params, mlflow_uri)
    forecast = demand_forecast(path, inputs, window_days)
    proposals = recommend(
        forecast, inputs.on_hand, inputs.products, skus, inputs.last_day + timedelta(days=1), window_days
    ).with_columns(pl.lit(registry.PRICING).alias("model"), pl.lit(registered.version).alias("model_version"))
    lake.write_output(path, "price_recommendations", proposals)
    logger.info(
        "%s; %d markdowns and %d price moves proposed for a manager to approve",
        registered.describe(),
        proposals.filter(pl.col("kind") == "markdown").height,
        proposals.filter(pl.col("kind") == "price").height,
    )
    return {"registered": registered, "metrics": metrics, "proposals": proposals.height}
