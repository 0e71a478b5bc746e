"""The release flow on real parts: a local MLflow registry, the production-ACL broker, the releases folder."""

import hashlib
import tarfile
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner
from mlflow import MlflowClient
from sklearn.linear_model import LinearRegression

from aiwebpos_cloud.releases import signing
from aiwebpos_cloud.releases.store import ReleaseStore
from aiwebpos_contracts.releases import ModelRelease, Rollout, signing_payload
from aiwebpos_contracts.topics import model_topic
from aiwebpos_models.bundle import load_bundle, save_bundle
from aiwebpos_pipelines import registry
from aiwebpos_pipelines.cli import main
from aiwebpos_pipelines.flows.release import (
    ReleaseError,
    Target,
    release_model,
    rollback,
    rollout_from,
    target_from,
)
from devkit.fixtures import BROKER_USERS
from devkit.mosquitto import MosquittoBroker
from devkit.mqtt import MqttPeer
from devkit.tls import make_tls_files

# Third-party noise, named narrowly: MLflow's SQL store still uses a loader strategy SQLAlchemy 2.1 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated")

NAME = registry.FORECAST


def train(client: MlflowClient, uri: str, folder: Path, rmsse: float) -> registry.Registered:
    """A small real model (a skops file and a manifest) logged and registered as the flows do."""
    estimator = LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    bundle = save_bundle(folder, {"model": estimator}, {"kind": "forecast", "rmsse": rmsse})
    experiment = registry.experiment_id(client, uri, NAME)
    run_id, source = registry.log_run(
        client, experiment, "train-forecast", {}, {"backtest_rmsse": rmsse}, bundle
    )
    return registry.register(client, NAME, run_id, source, "backtest_rmsse", rmsse, True)


@pytest.fixture
def target(tmp_path: Path, broker: MosquittoBroker) -> Target:
    key_file, _ = signing.generate_key_pair(tmp_path / "keys")
    return target_from(
        None, str(tmp_path / "releases"), "http://hq:8200", broker.url("aiwebpos-hq"), str(key_file)
    )


def retained(broker: MosquittoBroker) -> ModelRelease:
    """What a store connecting now learns: the retained release of the model."""
    store = MqttPeer(broker, "MSU-01", [model_topic(NAME)])
    try:
        store.wait_for(lambda: len(store.received()) == 1, what="the retained release")
        return msgspec.json.decode(store.received()[0].payload, type=ModelRelease)
    finally:
        store.close()


def test_the_champion_is_released_once_and_its_artifact_is_the_registered_bundle(
    tmp_path: Path, target: Target, broker: MosquittoBroker
) -> None:
    uri = registry.local_store_uri(tmp_path / "mlflow")
    client = registry.client_for(uri)
    train(client, uri, tmp_path / "b1", 0.8)
    first = release_model(client, NAME, target, Rollout())
    assert first is not None and first.version == "1" and first.previous_version is None
    assert retained(broker) == first
    artifact = target.store.artifact(NAME, "1", first.sha256)
    assert hashlib.sha256(artifact.read_bytes()).hexdigest() == first.sha256
    public = signing.public_key_b64(target.private_key)
    assert signing.verify(public, signing_payload(NAME, "1", first.format, first.sha256), first.signature)
    with tarfile.open(artifact) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    estimators, manifest = load_bundle(tmp_path / "unpacked")
    assert manifest["rmsse"] == 0.8 and estimators["model"].predict([[3.0]])[0] == pytest.approx(7.0)

    assert release_model(client, NAME, target, Rollout()) is None  # already out: nothing published
    assert len(target.store.history(NAME)) == 1
    assert release_model(client, registry.FRAUD, target, Rollout()) is None  # no champion yet


def test_a_better_champion_replaces_the_release_and_a_rollback_brings_back_the_previous_version(
    tmp_path: Path, target: Target, broker: MosquittoBroker
) -> None:
    uri = registry.local_store_uri(tmp_path / "mlflow")
    client = registry.client_for(uri)
    train(client, uri, tmp_path / "b1", 0.8)
    first = release_model(client, NAME, target, Rollout())
    train(client, uri, tmp_path / "b2", 0.7)
    canary = release_model(client, NAME, target, rollout_from("canary", None, 0.5))
    assert canary is not None and (canary.version, canary.previous_version) == ("2", "1")
    wider = release_model(client, NAME, target, Rollout())
    assert wider is not None and (wider.version, wider.previous_version) == ("2", "1")

    back = rollback(target, NAME, "forecast error doubled")
    assert first is not None
    assert (back.version, back.sha256, back.rollout, back.previous_version) == (
        "1",
        first.sha256,
        Rollout(),
        None,
    )
    assert back.release_id != first.release_id and back.reason == "rollback: forecast error doubled"
    assert retained(broker) == back
    with pytest.raises(ReleaseError, match="nothing to roll back to"):
        rollback(target, NAME, "again")


def test_the_rollback_command_publishes_the_previous_version(
    tmp_path: Path, target: Target, broker: MosquittoBroker
) -> None:
    uri = registry.local_store_uri(tmp_path / "mlflow")
    client = registry.client_for(uri)
    train(client, uri, tmp_path / "b1", 0.8)
    release_model(client, NAME, target, Rollout())
    train(client, uri, tmp_path / "b2", 0.7)
    release_model(client, NAME, target, Rollout(mode="stores", stores=["MSU-01"]))
    args = ["release", "rollback", NAME, "--reason", "bad week", "--releases-dir", str(tmp_path / "releases")]
    env = {
        "AIWEBPOS_MQTT_URL": broker.url("aiwebpos-hq"),
        "AIWEBPOS_RELEASE_KEY_FILE": str(tmp_path / "keys" / signing.PRIVATE_KEY_FILE),
    }
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 0, result.output
    assert "v1 released to all stores" in result.output
    assert retained(broker).version == "1"
    assert [r.version for r in ReleaseStore(tmp_path / "releases").history(NAME)] == ["1", "2", "1"]


def test_a_release_to_some_stores_carries_what_the_others_run(
    tmp_path: Path, target: Target, broker: MosquittoBroker
) -> None:
    """The retained message is all a store connecting later sees: a canary must say what the rest run."""
    uri = registry.local_store_uri(tmp_path / "mlflow")
    client = registry.client_for(uri)
    train(client, uri, tmp_path / "b1", 0.8)
    to_all = release_model(client, NAME, target, Rollout())
    train(client, uri, tmp_path / "b2", 0.7)
    release_model(client, NAME, target, Rollout(mode="canary", share=0.25))
    canary = retained(broker)
    assert canary.version == "2" and canary.fallback is not None and to_all is not None
    assert (canary.fallback.version, canary.fallback.sha256, canary.fallback.signature) == (
        "1",
        to_all.sha256,
        to_all.signature,
    )
    rollback(target, NAME, "canary alerts")
    assert retained(broker).fallback is None  # to every store again


def test_the_rollback_command_reaches_a_tls_broker_with_its_ca_file(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path / "tls")
    broker = MosquittoBroker(tmp_path / "tls-broker", BROKER_USERS, tls=tls)
    broker.start()
    try:
        key_file, _ = signing.generate_key_pair(tmp_path / "keys")
        plain = target_from(
            None, str(tmp_path / "releases"), "http://hq:8200", broker.url("aiwebpos-hq"), str(key_file)
        )
        uri = registry.local_store_uri(tmp_path / "mlflow")
        client = registry.client_for(uri)
        train(client, uri, tmp_path / "b1", 0.8)
        release_model(client, NAME, plain, Rollout())
        train(client, uri, tmp_path / "b2", 0.7)
        release_model(client, NAME, plain, Rollout())
        secure = f"mqtts://aiwebpos-hq:{BROKER_USERS['aiwebpos-hq']}@localhost:{broker.tls_port}"
        args = [
            "release",
            "rollback",
            NAME,
            "--reason",
            "bad week",
            "--releases-dir",
            str(tmp_path / "releases"),
        ]
        env = {"AIWEBPOS_MQTT_URL": secure, "AIWEBPOS_RELEASE_KEY_FILE": str(key_file)}

        untrusted = CliRunner().invoke(main, args, env=env)
        assert untrusted.exit_code != 0 and "certificate" in untrusted.output.lower(), untrusted.output
        trusted = CliRunner().invoke(main, [*args, "--mqtt-ca-file", str(tls.ca)], env=env)
        assert trusted.exit_code == 0, trusted.output
        assert retained(broker).version == "1"
    finally:
        broker.kill()


def test_releasing_without_a_key_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ReleaseError, match="releases keygen"):
        target_from(None, str(tmp_path), None, "mqtt://hq:x@localhost", None)


@pytest.mark.parametrize(
    ("mode", "stores", "share"), [("stores", None, 1.0), ("canary", None, 0.0), ("some", None, 1.0)]
)
def test_a_rollout_that_names_no_stores_is_refused(mode: str, stores: list[str] | None, share: float) -> None:
    with pytest.raises(ReleaseError):
        rollout_from(mode, stores, share)


def test_stores_given_as_text_become_a_list() -> None:
    assert rollout_from("stores", "MSU-01, TY-02", 1.0).stores == ["MSU-01", "TY-02"]
