"""Releases delivered for real: the artifact server, and a retained release on the production ACL broker."""

import hashlib
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from aiwebpos_cloud.releases import signing
from aiwebpos_cloud.releases.package import build_release, build_tar
from aiwebpos_cloud.releases.publish import PublishError, publish_release
from aiwebpos_cloud.releases.server import make_server
from aiwebpos_cloud.releases.store import ReleaseStore
from aiwebpos_contracts.releases import ModelRelease, Rollout, in_rollout, signing_payload
from aiwebpos_contracts.topics import model_topic
from devkit.mosquitto import MosquittoBroker
from devkit.mqtt import MqttPeer

NAME = "aiwebpos-fraud"


@pytest.fixture
def releases_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "releases"
    directory.mkdir()
    return directory


@pytest.fixture
def server(releases_dir: Path) -> Iterator[str]:
    http = make_server(releases_dir, "127.0.0.1", 0)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_address[1]}"
    http.shutdown()
    http.server_close()


def released(tmp_path: Path, store: ReleaseStore, base_url: str, version: str) -> tuple[ModelRelease, str]:
    """A bundle packed, stored and signed as the release flow does; returns it and the public key."""
    keys = tmp_path / "keys"
    if not (keys / signing.PRIVATE_KEY_FILE).exists():
        signing.generate_key_pair(keys)
    key = signing.load_private_key(keys / signing.PRIVATE_KEY_FILE)
    folder = tmp_path / f"bundle-{version}"
    folder.mkdir()
    (folder / "manifest.json").write_text(f'{{"version": "{version}"}}')
    sha256, _ = build_tar(folder, tmp_path / f"{version}.tar")
    stored = store.add_artifact(NAME, version, sha256, tmp_path / f"{version}.tar")
    release = build_release(NAME, version, stored, base_url, key, Rollout(), "champion", None)
    return release, signing.public_key_b64(key)


def get(url: str) -> tuple[int, bytes, str | None]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read(), answer.headers["Content-Length"]
    except urllib.error.HTTPError as exc:
        return exc.code, b"", None


def test_the_server_serves_exactly_the_artifact_and_nothing_else(
    tmp_path: Path, releases_dir: Path, server: str
) -> None:
    store = ReleaseStore(releases_dir)
    release, _ = released(tmp_path, store, server, "1")
    store.record(release)
    status, body, length = get(release.artifact_url)
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == release.sha256
    assert length == str(release.size_bytes) == str(len(body))
    (tmp_path / "secret.txt").write_text("no")
    for path in [
        "/artifacts/",  # no listing
        f"/artifacts/{NAME}/1/",
        f"/artifacts/{NAME}/1/{'0' * 64}.tar",
        f"/history/{NAME}.jsonl",
        "/artifacts/../../secret.txt",
        "/artifacts/%2e%2e/%2e%2e/secret.txt",
        "/",
    ]:
        assert get(server + path)[0] == 404, path


def test_a_retained_release_reaches_a_store_that_connects_later_and_its_artifact_checks_out(
    tmp_path: Path, releases_dir: Path, server: str, broker: MosquittoBroker
) -> None:
    store = ReleaseStore(releases_dir)
    release, public = released(tmp_path, store, server, "1")
    publish_release(release, broker.url("aiwebpos-hq"))
    store_node = MqttPeer(broker, "MSU-01", [model_topic(NAME)])  # subscribes only now
    try:
        store_node.wait_for(lambda: len(store_node.received()) == 1, what="the retained release")
        message = store_node.received()[0]
    finally:
        store_node.close()
    assert message.retain
    got = msgspec.json.decode(message.payload, type=ModelRelease)
    assert got == release
    assert in_rollout(got.rollout, "MSU-01", NAME)
    status, body, _ = get(got.artifact_url)
    assert status == 200
    assert hashlib.sha256(body).hexdigest() == got.sha256
    assert signing.verify(
        public, signing_payload(got.name, got.version, got.format, got.sha256), got.signature
    )


def test_a_store_cannot_publish_a_release(
    tmp_path: Path, releases_dir: Path, server: str, broker: MosquittoBroker
) -> None:
    store = ReleaseStore(releases_dir)
    genuine, _ = released(tmp_path, store, server, "1")
    publish_release(genuine, broker.url("aiwebpos-hq"))
    forged, _ = released(tmp_path, store, server, "2")
    with pytest.raises(PublishError, match="refused the release"):
        publish_release(forged, broker.url("MSU-01"))
    other_store = MqttPeer(broker, "TY-02", [model_topic(NAME)])
    try:
        other_store.wait_for(lambda: len(other_store.received()) == 1, what="the retained release")
        assert msgspec.json.decode(other_store.received()[0].payload, type=ModelRelease).version == "1"
    finally:
        other_store.close()


def test_a_wrong_password_is_reported_as_a_refused_login(broker: MosquittoBroker, tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path / "releases")
    release, _ = released(tmp_path, store, "http://hq", "1")
    url = broker.url("aiwebpos-hq").replace("hq-secret", "wrong")
    with pytest.raises(PublishError, match="refused the login"):
        publish_release(release, url)


def test_the_history_keeps_every_release_in_order(tmp_path: Path) -> None:
    store = ReleaseStore(tmp_path / "releases")
    assert store.current(NAME) is None
    first, _ = released(tmp_path, store, "http://hq", "1")
    second, _ = released(tmp_path, store, "http://hq", "2")
    store.record(first)
    store.record(second)
    assert store.history(NAME) == [first, second]
    assert store.current(NAME) == second
    assert store.artifact(NAME, "1", first.sha256).is_file()
