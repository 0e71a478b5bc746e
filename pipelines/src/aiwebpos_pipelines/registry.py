"""MLflow: where every training run is logged and every model version registered and promoted.

A run logs its parameters, its metrics and the model bundle (`aiwebpos_models.bundle`: skops files and
a JSON manifest) as artifacts under `bundle/`; the version registered from it points at that folder, so
the release flow signs and ships exactly the files that were evaluated.

Promotion (CONTRACTS.md §4): the alias `champion` moves to a new version only when its backtest metric
beats the champion's, as logged by the champion's own run; otherwise the new version becomes
`challenger`. The first version of a model is its champion. A run without the metric (a fraud model
trained where nobody has labelled any fraud yet) can only become challenger, unless there is no champion.
"""

import logging
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

log = logging.getLogger(__name__)

CHAMPION = "champion"
CHALLENGER = "challenger"
FORECAST = "aiwebpos-forecast"
FRAUD = "aiwebpos-fraud"
PRICING = "aiwebpos-pricing"


def local_store_uri(folder: Path) -> str:
    """A local MLflow store in `folder`: runs and the registry in SQLite, artifacts beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(folder / 'mlflow.db').resolve()}"


def _artifact_location(tracking_uri: str, experiment: str) -> str | None:
    """Where a local store keeps an experiment's artifacts (beside its database, not in the cwd);
    None for a tracking server, which decides for itself."""
    parsed = urlparse(tracking_uri)
    if parsed.scheme != "sqlite":
        return None
    database = Path(parsed.path)
    return (database.parent / "artifacts" / experiment).resolve().as_uri()


def client_for(tracking_uri: str) -> MlflowClient:
    mlflow.set_tracking_uri(tracking_uri)
    return MlflowClient(tracking_uri=tracking_uri)


def experiment_id(client: MlflowClient, tracking_uri: str, name: str) -> str:
    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    return str(client.create_experiment(name, artifact_location=_artifact_location(tracking_uri, name)))


@dataclass(frozen=True)
class Registered:
    model: str
    version: str
    alias: str  # champion or challenger
    run_id: str
    metric: str
    value: float | None
    champion_value: float | None  # the previous champion's, None if there was none
    source: str

    def describe(self) -> str:
        mine = "n/a" if self.value is None else f"{self.value:.4f}"
        theirs = "none" if self.champion_value is None else f"{self.champion_value:.4f}"
        return f"{self.model} v{self.version} → {self.alias} ({self.metric} {mine}; champion had {theirs})"


def _champion(client: MlflowClient, model: str) -> Any:
    try:
        return client.get_model_version_by_alias(model, CHAMPION)
    except MlflowException:
        return None


def _usable(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def beats(value: float | None, champion: float | None, lower_is_better: bool) -> bool:
    """Whether a new version's metric beats the champion's (strictly: a tie keeps the champion)."""
    if not _usable(value):
        return False
    if not _usable(champion):
        return True
    assert value is not None and champion is not None
    return value < champion if lower_is_better else value > champion


def log_run(
    client: MlflowClient,
    experiment: str,
    run_name: str,
    params: dict[str, Any],
    metrics: dict[str, float],
    bundle: Path,
    extra_artifacts: dict[str, Path] | None = None,
    tags: dict[str, str] | None = None,
) -> tuple[str, str]:
    """One MLflow run with its params, metrics (NaN dropped), the bundle and other artifacts.
    Returns (run_id, the bundle's artifact URI)."""
    with mlflow.start_run(experiment_id=experiment, run_name=run_name, tags=tags or {}) as run:
        mlflow.log_params({k: v for k, v in params.items() if v is not None})
        mlflow.log_metrics({k: float(v) for k, v in metrics.items() if _usable(v)})
        mlflow.log_artifacts(str(bundle), artifact_path="bundle")
        for path, file in (extra_artifacts or {}).items():
            mlflow.log_artifact(str(file), artifact_path=path)
        return run.info.run_id, f"{run.info.artifact_uri}/bundle"


def register(
    client: MlflowClient,
    model: str,
    run_id: str,
    source: str,
    metric: str,
    value: float | None,
    lower_is_better: bool,
    description: str = "",
) -> Registered:
    """Register the run's bundle as a new version of `model`; champion if it beats the champion."""
    try:
        client.get_registered_model(model)
    except MlflowException:
        client.create_registered_model(model, description=description)
    champion = _champion(client, model)
    champion_value = None
    if champion is not None and champion.run_id:
        champion_value = client.get_run(champion.run_id).data.metrics.get(metric)
    version = client.create_model_version(model, source=source, run_id=run_id).version
    wins = champion is None or beats(value, champion_value, lower_is_better)
    alias = CHAMPION if wins else CHALLENGER
    client.set_registered_model_alias(model, alias, version)
    client.set_model_version_tag(model, version, "backtest_metric", metric)
    result = Registered(model, str(version), alias, run_id, metric, value, champion_value, source)
    log.info("%s", result.describe())
    return result


@dataclass(frozen=True)
class Training:
    """What a training flow hands over to be recorded: its model, its run, and how to judge it."""

    model: str
    params: dict[str, Any]
    metrics: dict[str, float]
    metric: str  # the backtest metric promotion compares
    lower_is_better: bool
    description: str
    tags: dict[str, str] | None = None


SaveArtifacts = Callable[[Path], tuple[Path, dict[str, Path]]]  # folder → (bundle, {artifact path: file})


def record(tracking_uri: str, training: Training, save: SaveArtifacts) -> Registered:
    """Log the run (`save` writes the bundle and any other artifacts into a temporary folder), register
    it as a new version, and promote it by its backtest metric."""
    client = client_for(tracking_uri)
    experiment = experiment_id(client, tracking_uri, training.model)
    run_name = "train-" + training.model.removeprefix("aiwebpos-")
    with tempfile.TemporaryDirectory() as tmp:
        bundle, extra = save(Path(tmp))
        run_id, source = log_run(
            client, experiment, run_name, training.params, training.metrics, bundle, extra, training.tags
        )
    return register(
        client,
        training.model,
        run_id,
        source,
        training.metric,
        training.metrics.get(training.metric),
        training.lower_is_better,
        training.description,
    )
