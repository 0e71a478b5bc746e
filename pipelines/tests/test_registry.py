"""Promotion by alias in a real (local) MLflow registry: champion only when the backtest beats it."""

from pathlib import Path

import pytest
from mlflow import MlflowClient

from aiwebpos_models.bundle import read_manifest, save_bundle
from aiwebpos_pipelines import registry

pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated")


def train(client: MlflowClient, uri: str, folder: Path, rmsse: float | None) -> registry.Registered:
    """A run as a flow logs it (a bundle, params, its backtest metric), registered as a new version."""
    experiment = registry.experiment_id(client, uri, "aiwebpos-forecast")
    bundle = save_bundle(folder, {}, {"kind": "forecast", "rmsse": rmsse})
    metrics = {} if rmsse is None else {"backtest_rmsse": rmsse}
    run_id, source = registry.log_run(client, experiment, "train-forecast", {"days": 365}, metrics, bundle)
    return registry.register(client, "aiwebpos-forecast", run_id, source, "backtest_rmsse", rmsse, True)


def test_the_champion_moves_only_to_a_better_backtest(tmp_path: Path) -> None:
    uri = registry.local_store_uri(tmp_path / "mlflow")
    client = registry.client_for(uri)
    first = train(client, uri, tmp_path / "b1", 0.80)
    assert (first.version, first.alias, first.champion_value) == ("1", "champion", None)
    worse = train(client, uri, tmp_path / "b2", 0.85)
    assert (worse.alias, worse.champion_value) == ("challenger", 0.80)
    tie = train(client, uri, tmp_path / "b3", 0.80)
    assert tie.alias == "challenger"  # a tie keeps the model the stores already run
    better = train(client, uri, tmp_path / "b4", 0.70)
    assert better.alias == "champion"
    assert str(client.get_model_version_by_alias("aiwebpos-forecast", "champion").version) == "4"
    assert str(client.get_model_version_by_alias("aiwebpos-forecast", "challenger").version) == "3"


def test_a_run_without_its_metric_never_unseats_a_champion(tmp_path: Path) -> None:
    uri = registry.local_store_uri(tmp_path / "mlflow")
    client = registry.client_for(uri)
    train(client, uri, tmp_path / "b1", 0.9)
    assert train(client, uri, tmp_path / "b2", None).alias == "challenger"


def test_a_version_points_at_the_files_that_were_evaluated(tmp_path: Path) -> None:
    uri = registry.local_store_uri(tmp_path / "mlflow")
    client = registry.client_for(uri)
    registered = train(client, uri, tmp_path / "b1", 0.5)
    local = Path(client.download_artifacts(registered.run_id, "bundle", str(tmp_path / "down")))
    assert read_manifest(local)["rmsse"] == 0.5
    assert not (Path.cwd() / "mlruns").exists()  # artifacts live beside the store, not in the cwd


@pytest.mark.parametrize(
    ("value", "champion", "lower", "wins"),
    [
        (0.7, 0.8, True, True),
        (0.9, 0.8, True, False),
        (0.9, 0.8, False, True),
        (0.8, 0.8, False, False),
        (float("nan"), 0.8, True, False),
        (0.5, None, True, True),
        (None, None, True, False),
    ],
)
def test_beats(value: float | None, champion: float | None, lower: bool, wins: bool) -> None:
    assert registry.beats(value, champion, lower) is wins
