"""The deployments: when each flow runs by itself (`aiwebpos-pipelines serve`).

- Nightly, after the stores close (Africa/Maseru): fraud and pricing, so a manager finds fresh alerts
  and price proposals in the morning.
- Weekly (Sunday night): forecasting, the longest training; reorder suggestions come from its forecasts.
- Events: a new store appearing in the lakehouse, or the champion forecast drifting from what sells
  (both emitted by the hourly `watch` flow), retrain the forecast at once.
"""

from typing import Any

from prefect import serve
from prefect.events import DeploymentEventTrigger
from prefect.events.schemas.automations import Posture
from prefect.schedules import Cron

from aiwebpos_pipelines.flows import load_flow
from aiwebpos_pipelines.flows.watch import DRIFT_EVENT, NEW_STORE_EVENT

TIMEZONE = "Africa/Maseru"
CRON: dict[str, str] = {
    "train-fraud": "30 22 * * *",
    "train-pricing": "0 23 * * *",
    "train-forecast": "0 1 * * 1",
    "watch": "15 * * * *",
}
SCHEDULES: dict[str, str] = {
    "train-fraud": "nightly 22:30 (Maseru)",
    "train-pricing": "nightly 23:00 (Maseru)",
    "train-forecast": f"weekly, Monday 01:00 (Maseru); and on {NEW_STORE_EVENT} or {DRIFT_EVENT}",
    "watch": "hourly: emits the new-store and drift events",
}


def triggers_for(name: str) -> list[DeploymentEventTrigger]:
    if name != "train-forecast":
        return []
    return [
        DeploymentEventTrigger(
            name=f"retrain on {event}", expect={event}, posture=Posture.Reactive, threshold=1
        )
        for event in (NEW_STORE_EVENT, DRIFT_EVENT)
    ]


def deployments(lakehouse: str, mlflow_uri: str) -> list[Any]:
    parameters = {"lakehouse": lakehouse, "mlflow_uri": mlflow_uri}
    return [
        load_flow(name).to_deployment(  # type: ignore[attr-defined]
            name=f"aiwebpos-{name}",
            schedule=Cron(cron, timezone=TIMEZONE),
            parameters=parameters,
            triggers=triggers_for(name),
            tags=["aiwebpos"],
        )
        for name, cron in CRON.items()
    ]


def serve_deployments(lakehouse: str, mlflow_uri: str) -> None:
    serve(*deployments(lakehouse, mlflow_uri))
