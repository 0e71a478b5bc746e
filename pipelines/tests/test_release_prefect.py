"""The `release` flow as Prefect runs it (`aiwebpos-pipelines run release`), under Prefect's test harness."""

from pathlib import Path

import pytest

from aiwebpos_cloud.releases import signing
from aiwebpos_cloud.releases.store import ReleaseStore
from aiwebpos_models.bundle import save_bundle
from aiwebpos_pipelines import registry
from aiwebpos_pipelines.flows import load_flow
from devkit.mosquitto import MosquittoBroker

pytestmark = [
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
    pytest.mark.slow,  # the harness starts a Prefect server (about 10 s)
]


def test_the_release_flow_ships_each_champion_once(
    harness: None, tmp_path: Path, broker: MosquittoBroker
) -> None:
    uri = registry.local_store_uri(tmp_path / "mlflow")
    client = registry.client_for(uri)
    experiment = registry.experiment_id(client, uri, registry.FRAUD)
    bundle = save_bundle(tmp_path / "bundle", {}, {"kind": "fraud"})
    run_id, source = registry.log_run(client, experiment, "train-fraud", {}, {"precision_at_k": 0.5}, bundle)
    registry.register(client, registry.FRAUD, run_id, source, "precision_at_k", 0.5, False)
    key_file, _ = signing.generate_key_pair(tmp_path / "keys")
    release = load_flow("release")
    parameters = {
        "lakehouse": str(tmp_path / "lakehouse"),
        "mlflow_uri": uri,
        "mqtt_url": broker.url("aiwebpos-hq"),
        "key_file": str(key_file),
        "rollout": "canary",
        "share": 0.5,
    }
    first = release(**parameters)
    assert first == {
        registry.FORECAST: "unchanged",  # no champion yet
        registry.FRAUD: "v1 released (canary)",
        registry.PRICING: "unchanged",
    }
    assert release(**parameters)[registry.FRAUD] == "unchanged"
    history = ReleaseStore(tmp_path / "releases").history(registry.FRAUD)  # beside the lakehouse
    assert [(r.version, r.rollout.mode, r.rollout.share) for r in history] == [("1", "canary", 0.5)]
