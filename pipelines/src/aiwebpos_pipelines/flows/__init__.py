"""The Prefect flows, by the name `aiwebpos-pipelines run FLOW` and the deployments know them by.

Imported lazily: the CLI's `--help` should not pay for importing Prefect, MLflow and scikit-learn."""

import importlib
from collections.abc import Callable
from typing import Any

# flow name → (module, function): each a @flow taking lakehouse, mlflow_uri and its own keywords.
FLOWS: dict[str, tuple[str, str]] = {
    "train-forecast": ("aiwebpos_pipelines.flows.forecast", "train_forecast"),
    "train-fraud": ("aiwebpos_pipelines.flows.fraud", "train_fraud"),
    "train-pricing": ("aiwebpos_pipelines.flows.pricing", "train_pricing"),
    "train-all": ("aiwebpos_pipelines.flows.nightly", "train_all"),
    "watch": ("aiwebpos_pipelines.flows.watch", "watch"),
    "release": ("aiwebpos_pipelines.flows.release", "release"),
}


def load_flow(name: str) -> Callable[..., Any]:
    module, function = FLOWS[name]
    found: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return found
