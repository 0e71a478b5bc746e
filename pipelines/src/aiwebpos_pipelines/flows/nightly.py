"""`train-all`: every model one after another (what `make demo` runs once the history is generated)."""

from typing import Any

from prefect import flow

from aiwebpos_pipelines.flows.forecast import train_forecast
from aiwebpos_pipelines.flows.fraud import train_fraud
from aiwebpos_pipelines.flows.pricing import train_pricing


@flow(name="train-all")
def train_all(lakehouse: str, mlflow_uri: str, with_ets: bool = True) -> dict[str, Any]:
    return {
        "forecast": train_forecast(lakehouse, mlflow_uri, with_ets=with_ets)["registered"],
        "fraud": train_fraud(lakehouse, mlflow_uri)["registered"],
        "pricing": train_pricing(lakehouse, mlflow_uri)["registered"],
    }
