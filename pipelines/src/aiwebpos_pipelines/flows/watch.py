"""`watch`: the hourly look that decides whether the forecast must be retrained before its weekly run.

It emits Prefect events, which the `train-forecast` deployment's triggers answer (`deployments.py`):
- `aiwebpos.store.new` for each store selling in the lakehouse that the champion forecast was not
  trained on (a new store gets its forecast within the hour, not next week);
- `aiwebpos.forecast.drift` when the champion's error on the days since its forecast began (its live
  WAPE, at least `min_days` of them) exceeds its own backtest WAPE by more than `tolerance`.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

from mlflow.exceptions import MlflowException
from prefect import flow, get_run_logger
from prefect.events import emit_event

from aiwebpos_models.metrics import wape
from aiwebpos_pipelines import lake, registry

NEW_STORE_EVENT = "aiwebpos.store.new"
DRIFT_EVENT = "aiwebpos.forecast.drift"
CHAIN = {"prefect.resource.id": "aiwebpos.chain", "prefect.resource.name": "AIWebPOS chain"}


def _champion_run(mlflow_uri: str) -> Any:
    client = registry.client_for(mlflow_uri)
    try:
        version = client.get_model_version_by_alias(registry.FORECAST, registry.CHAMPION)
    except MlflowException:
        return None
    return client.get_run(version.run_id) if version.run_id else None


def live_error(lakehouse: Path) -> tuple[float, int]:
    """WAPE of the latest `forecasts` against what sold since their origin, and how many days it covers."""
    if not (lakehouse / "forecasts").is_dir():
        return float("nan"), 0
    rows = lake.frames(
        lakehouse,
        {
            "scored": """
                WITH f AS (SELECT * FROM forecasts),
                     sold AS (SELECT store_id, sku, date, sum(quantity)::DOUBLE AS actual
                              FROM sale_lines WHERE date >= (SELECT min(origin) FROM f) GROUP BY ALL)
                SELECT f.date, f.forecast, coalesce(sold.actual, 0) AS actual
                FROM f LEFT JOIN sold USING (store_id, sku, date)
                WHERE f.date <= (SELECT max(date) FROM sale_lines)"""
        },
    )["scored"]
    days = rows.get_column("date").n_unique()
    return wape(rows.get_column("actual").to_numpy(), rows.get_column("forecast").to_numpy()), days


@flow(name="watch")
def watch(lakehouse: str, mlflow_uri: str, tolerance: float = 0.25, min_days: int = 7) -> dict[str, Any]:
    logger = get_run_logger()
    path = Path(lakehouse)
    last = lake.last_sales_date(path)
    if last is None:
        raise lake.NoData(f"{lakehouse} holds no sales yet: nothing to watch")
    selling = lake.frames(
        path, {"s": "SELECT DISTINCT store_id FROM sales WHERE date >= $1"}, [last - timedelta(days=14)]
    )["s"]
    stores_now = set(selling.get_column("store_id").to_list())
    champion = _champion_run(mlflow_uri)
    trained_on = set((champion.data.tags.get("stores") or "").split(",")) - {""} if champion else set()
    new_stores = sorted(stores_now - trained_on)
    for store in new_stores:
        emit_event(NEW_STORE_EVENT, resource={**CHAIN, "aiwebpos.store": store}, payload={"store_id": store})
    live, days = live_error(path)
    backtest = champion.data.metrics.get("backtest_wape") if champion else None
    drift = bool(backtest is not None and days >= min_days and live > backtest * (1 + tolerance))
    if drift:
        payload = {"live_wape": live, "backtest_wape": backtest, "days": days}
        emit_event(DRIFT_EVENT, resource=CHAIN, payload=payload)
    logger.info(
        "stores new to the forecast: %s; live WAPE %.3f over %d days (backtest %s): %s",
        ", ".join(new_stores) or "none",
        live,
        days,
        "n/a" if backtest is None else f"{backtest:.3f}",
        "drift" if drift else "no drift",
    )
    return {"new_stores": new_stores, "live_wape": live, "days": days, "drift": drift}
