"""Signed model releases with real parts: a Mosquitto with the production ACL, the node, an HTTP server
holding the artifacts, a real Ed25519 key and a real fraud bundle. What is signed and meant for this
store is loaded and listed; anything else is refused, reported, and the node keeps the model it had."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import msgspec
import pytest
from edge_support import START, Api
from litestar.testing import AsyncTestClient
from model_release_kit import (
    FRAUD,
    ArtifactServer,
    Signer,
    artifact_server,
    encode,
    fraud_artifact,
    fraud_transactions,
)

from aiwebpos_contracts.releases import ModelRelease, Rollout
from aiwebpos_contracts.status import StoreStatus
from aiwebpos_contracts.topics import model_topic, status_topic
from aiwebpos_edge.app import create_app
from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.settings import NodeSettings, load_settings
from aiwebpos_models.fraud import FraudModel
from devkit.mosquitto import MosquittoBroker
from devkit.mqtt import MqttPeer


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("bundles")
    return {version: fraud_artifact(folder, version) for version in ("1", "2")}


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def served(artifacts: dict[str, bytes]) -> Iterator[ArtifactServer]:
    with artifact_server() as server:
        for version, artifact in artifacts.items():
            server.files[f"/fraud/{version}.tar"] = artifact
        yield server


@pytest.fixture
def hq(broker: MosquittoBroker) -> Iterator[MqttPeer]:
    """The release flow's side: publishes releases (retained), watches the store's status."""
    peer = MqttPeer(broker, "aiwebpos-hq", [status_topic("MSU-01")])
    yield peer
    peer.close()


class Store:
    def __init__(self, client: AsyncTestClient[Any]) -> None:
        self.client, self.api = client, Api(client)

    async def models(self) -> list[dict[str, Any]]:
        answer = await self.api.get("/api/v1/models")
        assert answer.status_code == 200, answer.text
        listed: list[dict[str, Any]] = answer.json()
        return listed

    async def version(self) -> str | None:
        listed = [m["version"] for m in await self.models() if m["name"] == FRAUD]
        return listed[0] if listed else None

    def fraud_model(self) -> FraudModel:
        loaded = self.client.app.state.node.models.get(FRAUD)
        assert isinstance(loaded.model, FraudModel)
        return loaded.model


@asynccontextmanager
async def running_node(settings: NodeSettings) -> AsyncIterator[Store]:
    async with AsyncTestClient(app=create_app(settings, SettableClock(START))) as client:
        yield Store(client)


@pytest.fixture
def linked_settings(node_settings: NodeSettings, broker: MosquittoBroker, signer: Signer) -> NodeSettings:
    return load_settings(
        node_settings.data_dir, mqtt_url=broker.url("MSU-01"), model_public_key=signer.public_b64
    )


async def eventually(check: Callable[[], Any], what: str, limit: float = 20) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def last_status(hq: MqttPeer) -> StoreStatus | None:
    received = hq.received(status_topic("MSU-01"))
    return msgspec.json.decode(received[-1].payload, type=StoreStatus) if received else None


def publish(hq: MqttPeer, release: ModelRelease) -> None:
    hq.publish(model_topic(release.name), encode(release), retain=True)


async def install(store: Store, hq: MqttPeer, release: ModelRelease) -> None:
    publish(hq, release)

    async def in_use() -> bool:
        return await store.version() == release.version

    await eventually(in_use, f"version {release.version} in use")


async def refused(hq: MqttPeer, version: str) -> str:
    """The reason the status gives for refusing `version` of the fraud model."""
    found: list[str] = []

    async def reported() -> bool:
        status = last_status(hq)
        found[:] = [p.reason for p in (status.model_problems if status else []) if p.version == version]
        return bool(found)

    await eventually(reported, f"version {version} reported as refused")
    return found[0]


async def test_a_signed_release_is_downloaded_loaded_listed_and_in_the_status(
    linked_settings: NodeSettings,
    hq: MqttPeer,
    served: ArtifactServer,
    signer: Signer,
    artifacts: dict[str, bytes],
) -> None:
    release = signer.release(FRAUD, "1", artifacts["1"], served.url("/fraud/1.tar"))
    async with running_node(linked_settings) as store:
        assert await store.models() == []
        await install(store, hq, release)
        (listed,) = await store.models()
        assert listed["name"] == FRAUD and listed["sha256"] == release.sha256 and listed["loaded_at"]
        scored = store.fraud_model().score_transactions(fraud_transactions().head(1))
        assert scored["score"].to_list()[0] >= 0.0

        async def in_status() -> bool:
            status = last_status(hq)
            return status is not None and [(m.name, m.version) for m in status.models] == [(FRAUD, "1")]

        await eventually(in_status, "the model in the retained status")
    on_disk = Path(linked_settings.data_dir) / "models" / FRAUD
    assert (on_disk / "current.json").is_file() and (on_disk / "1" / "manifest.json").is_file()


async def test_tampered_and_wrongly_signed_releases_are_refused_and_the_model_stays(
    linked_settings: NodeSettings,
    hq: MqttPeer,
    served: ArtifactServer,
    signer: Signer,
    artifacts: dict[str, bytes],
) -> None:
    flipped = bytearray(artifacts["2"])
    flipped[len(flipped) // 2] ^= 0x01
    served.files["/fraud/2-tampered.tar"] = bytes(flipped)
    async with running_node(linked_settings) as store:
        await install(store, hq, signer.release(FRAUD, "1", artifacts["1"], served.url("/fraud/1.tar")))
        in_use = store.fraud_model()

        # The release is genuine, the bytes served are not (one bit flipped on the way).
        publish(hq, signer.release(FRAUD, "2", artifacts["2"], served.url("/fraud/2-tampered.tar")))
        assert "tampered" in await refused(hq, "2")
        assert await store.version() == "1" and store.fraud_model() is in_use

        # Signed by another key that claims to be ours.
        forged = Signer().release(
            FRAUD, "3", artifacts["2"], served.url("/fraud/2.tar"), key_id=signer.key_id
        )
        publish(hq, forged)
        assert "bad signature" in await refused(hq, "3")
        downloads = list(served.requests)

        # Not signed at all.
        publish(hq, signer.release(FRAUD, "4", artifacts["2"], served.url("/fraud/2.tar"), signature=""))
        assert "not signed" in await refused(hq, "4")
        assert served.requests == downloads  # a release refused on its face is never downloaded
        assert await store.version() == "1" and store.fraud_model() is in_use


async def test_a_release_outside_the_rollout_is_ignored(
    linked_settings: NodeSettings,
    hq: MqttPeer,
    served: ArtifactServer,
    signer: Signer,
    artifacts: dict[str, bytes],
) -> None:
    async with running_node(linked_settings) as store:
        await install(store, hq, signer.release(FRAUD, "1", artifacts["1"], served.url("/fraud/1.tar")))
        elsewhere = Rollout(mode="stores", stores=["TY-02"])
        publish(hq, signer.release(FRAUD, "2", artifacts["2"], served.url("/fraud/2.tar"), rollout=elsewhere))
        await asyncio.sleep(1.0)  # nothing to wait for: the point is that nothing happens
        assert await store.version() == "1"
        assert "/fraud/2.tar" not in served.requests
        status = last_status(hq)
        assert status is not None and status.model_problems == []


async def test_after_a_restart_without_a_broker_the_last_good_model_is_used(
    linked_settings: NodeSettings,
    hq: MqttPeer,
    served: ArtifactServer,
    signer: Signer,
    artifacts: dict[str, bytes],
    broker: MosquittoBroker,
) -> None:
    release = signer.release(FRAUD, "1", artifacts["1"], served.url("/fraud/1.tar"))
    async with running_node(linked_settings) as store:
        await install(store, hq, release)
    hq.close()
    broker.kill()
    served.files.clear()  # no network at all: nothing to download either
    async with running_node(linked_settings) as store:
        (listed,) = await store.models()
        assert (listed["name"], listed["version"], listed["sha256"]) == (FRAUD, "1", release.sha256)
        scored = store.fraud_model().score_transactions(fraud_transactions().head(3))
        assert scored.height == 3


async def test_a_rollback_release_returns_the_node_to_the_previous_version(
    linked_settings: NodeSettings,
    hq: MqttPeer,
    served: ArtifactServer,
    signer: Signer,
    artifacts: dict[str, bytes],
) -> None:
    async with running_node(linked_settings) as store:
        first = signer.release(FRAUD, "1", artifacts["1"], served.url("/fraud/1.tar"))
        await install(store, hq, first)
        await install(store, hq, signer.release(FRAUD, "2", artifacts["2"], served.url("/fraud/2.tar")))
        del served.files["/fraud/1.tar"]  # the previous version comes back from the node's own disk
        rollback = signer.release(
            FRAUD, "1", artifacts["1"], served.url("/fraud/1.tar"), previous_version="2", reason="rollback"
        )
        await install(store, hq, rollback)
        (listed,) = await store.models()
        assert listed["sha256"] == first.sha256
    installed = sorted(p.name for p in (Path(linked_settings.data_dir) / "models" / FRAUD).iterdir())
    assert installed == ["1", "2", "current.json"]  # in use, and the one a rollback would return to


async def test_a_download_that_fails_is_tried_again_without_a_new_release_or_reconnect(
    node_settings: NodeSettings,
    broker: MosquittoBroker,
    hq: MqttPeer,
    served: ArtifactServer,
    signer: Signer,
    artifacts: dict[str, bytes],
) -> None:
    settings = load_settings(
        node_settings.data_dir,
        mqtt_url=broker.url("MSU-01"),
        model_public_key=signer.public_b64,
        model_retry_seconds=0.5,
    )
    artifact = served.files.pop("/fraud/1.tar")  # the artifact server does not have it yet
    release = signer.release(FRAUD, "1", artifacts["1"], served.url("/fraud/1.tar"))
    async with running_node(settings) as store:
        publish(hq, release)
        reason = await refused(hq, "1")
        assert "HTTP 404" in reason and "trying again" in reason
        await eventually(lambda: asyncio.sleep(0, served.requests.count("/fraud/1.tar") >= 2), "a second try")
        served.files["/fraud/1.tar"] = artifact  # the server is back

        async def in_use() -> bool:
            return await store.version() == "1"

        await eventually(in_use, "the model loaded on a later try")
        status = last_status(hq)
        assert status is not None
        await eventually(
            lambda: asyncio.sleep(0, not (last_status(hq) or status).model_problems), "the problem cleared"
        )
