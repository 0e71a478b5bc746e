"""`release`: ship each model's `champion` to the stores — package, sign, keep, announce.

For each model: download the champion version's `bundle/` from MLflow, pack it as a deterministic tar,
sign it, put it in the releases folder (served by `aiwebpos-cloud releases serve`), publish the release
retained on `aiwebpos/v1/models/{name}`, then append it to the history. A model whose champion already
is the current release with the same rollout is skipped, so the flow can run after every training.

`rollback` (plain function, `aiwebpos-pipelines release rollback`) publishes a new release of the version
the current one replaced, to every store.
"""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from aiwebpos_cloud.releases import signing
from aiwebpos_cloud.releases.package import build_release, build_tar, now_iso
from aiwebpos_cloud.releases.publish import publish_release
from aiwebpos_cloud.releases.store import ReleaseStore
from aiwebpos_contracts.ids import uuid7
from aiwebpos_contracts.releases import BUNDLE_TAR, ModelRelease, Rollout, signing_payload
from aiwebpos_pipelines import registry

MODELS = (registry.FORECAST, registry.FRAUD, registry.PRICING)
DEFAULT_BASE_URL = "http://127.0.0.1:8200"


class ReleaseError(RuntimeError):
    """Nothing to release or roll back to, or no key, broker or folder to do it with."""


@dataclass(frozen=True)
class Target:
    """Where releases go: the folder, the URL stores download from, the broker, the signing key."""

    store: ReleaseStore
    base_url: str
    mqtt_url: str
    private_key: Ed25519PrivateKey
    ca_file: str | None = (
        None  # the CA that signed the broker's certificate, for mqtts:// (else the system's)
    )


def target_from(
    lakehouse: str | None,
    releases_dir: str | None,
    base_url: str | None,
    mqtt_url: str | None,
    key_file: str | None,
    ca_file: str | None = None,
) -> Target:
    """Parameters first, then AIWEBPOS_* variables; the releases folder defaults to one beside the lakehouse."""
    directory = releases_dir or os.environ.get("AIWEBPOS_RELEASES_DIR")
    if directory is None:
        if lakehouse is None:
            raise ReleaseError("no releases folder: give --releases-dir or set AIWEBPOS_RELEASES_DIR")
        directory = str(Path(lakehouse).resolve().parent / "releases")
    url = mqtt_url or os.environ.get("AIWEBPOS_MQTT_URL")
    if not url:
        raise ReleaseError("no broker to announce releases on: set AIWEBPOS_MQTT_URL (user aiwebpos-hq)")
    key = key_file or os.environ.get("AIWEBPOS_RELEASE_KEY_FILE")
    if not key:
        raise ReleaseError(
            "no signing key: set AIWEBPOS_RELEASE_KEY_FILE or key_file "
            "(make one with `aiwebpos-cloud releases keygen --out DIR`)"
        )
    try:
        private_key = signing.load_private_key(Path(key))
    except signing.SigningKeyError as exc:
        raise ReleaseError(str(exc)) from exc
    return Target(
        store=ReleaseStore(Path(directory)),
        base_url=base_url or os.environ.get("AIWEBPOS_RELEASE_BASE_URL") or DEFAULT_BASE_URL,
        mqtt_url=url,
        private_key=private_key,
        ca_file=ca_file or os.environ.get("AIWEBPOS_MQTT_CA_FILE"),
    )


def rollout_from(mode: str, stores: list[str] | str | None, share: float) -> Rollout:
    if isinstance(stores, str):  # `--set stores=MSU-01,TY-02`
        stores = [s.strip() for s in stores.split(",") if s.strip()]
    if mode not in ("all", "stores", "canary"):
        raise ReleaseError(f"rollout {mode!r}: use all, stores or canary")
    if mode == "stores" and not stores:
        raise ReleaseError("rollout stores needs the store ids (stores=MSU-01,TY-02)")
    if mode == "canary" and not 0 < share <= 1:
        raise ReleaseError(f"canary share {share}: give a share of stores above 0 and at most 1")
    return Rollout(mode=mode, stores=list(stores or []) if mode == "stores" else [], share=share)  # type: ignore[arg-type]


def _champion(client: MlflowClient, name: str) -> Any:
    try:
        return client.get_model_version_by_alias(name, registry.CHAMPION)
    except MlflowException:
        return None


def with_fallback(store: ReleaseStore, release: ModelRelease) -> ModelRelease:
    """A release to some stores carries the last release to all (what the others keep running)."""
    if release.rollout.mode == "all":
        return msgspec.structs.replace(release, fallback=None)
    to_all = [r for r in store.history(release.name) if r.rollout.mode == "all"]
    fallback = msgspec.structs.replace(to_all[-1], fallback=None) if to_all else None
    return msgspec.structs.replace(release, fallback=fallback)


def announce(target: Target, release: ModelRelease) -> ModelRelease:
    """Publish, then record: the history only ever holds releases the broker took."""
    release = with_fallback(target.store, release)
    publish_release(release, target.mqtt_url, target.ca_file)
    target.store.record(release)
    return release


def release_model(
    client: MlflowClient, name: str, target: Target, rollout: Rollout, reason: str = "champion"
) -> ModelRelease | None:
    """Release the champion of `name`; None when it has none or it is already out with this rollout."""
    champion = _champion(client, name)
    if champion is None:
        return None
    version = str(champion.version)
    current = target.store.current(name)
    if current is not None and current.version == version and current.rollout == rollout:
        return None
    if current is None:
        previous = None
    elif current.version != version:
        previous = current.version
    else:  # the same version to more (or other) stores: it still replaces what the last one replaced
        previous = current.previous_version
    with tempfile.TemporaryDirectory() as tmp:
        bundle = Path(client.download_artifacts(champion.run_id, "bundle", tmp))
        sha256, _ = build_tar(bundle, Path(tmp) / "bundle.tar")
        stored = target.store.add_artifact(name, version, sha256, Path(tmp) / "bundle.tar")
    release = build_release(
        name, version, stored, target.base_url, target.private_key, rollout, reason, previous
    )
    return announce(target, release)


def rollback(target: Target, name: str, reason: str) -> ModelRelease:
    """A new release, to every store, of the version the current release replaced (same artifact)."""
    history = target.store.history(name)
    if not history:
        raise ReleaseError(f"{name} has never been released: nothing to roll back")
    current = history[-1]
    back_to = current.previous_version
    if back_to is None:
        raise ReleaseError(f"{name} v{current.version} replaced no earlier release: nothing to roll back to")
    earlier = [r for r in history if r.version == back_to]
    if not earlier:
        raise ReleaseError(f"{name} v{back_to} is not in the release history: cannot roll back to it")
    restored = earlier[-1]
    if not target.store.artifact(name, back_to, restored.sha256).is_file():
        raise ReleaseError(f"the artifact of {name} v{back_to} is gone from {target.store.artifacts}")
    public = signing.public_key_b64(target.private_key)
    release = msgspec.structs.replace(
        restored,
        release_id=str(uuid7()),
        # Signed again with today's key: the key may have been rotated since that version shipped.
        signature=signing.sign(
            target.private_key, signing_payload(name, back_to, BUNDLE_TAR, restored.sha256)
        ),
        key_id=signing.key_id(public),
        released_at=now_iso(),
        rollout=Rollout(),
        previous_version=restored.previous_version,  # a second rollback goes one further back
        reason=f"rollback: {reason}",
    )
    return announce(target, release)


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def release_one(mlflow_uri: str, name: str, target: Target, rollout: Rollout) -> ModelRelease | None:
    return release_model(registry.client_for(mlflow_uri), name, target, rollout)


@flow(name="release")
def release(
    lakehouse: str,
    mlflow_uri: str,
    models: list[str] | str | None = None,
    rollout: Literal["all", "stores", "canary"] = "all",
    stores: list[str] | str | None = None,
    share: float = 1.0,
    base_url: str | None = None,
    mqtt_url: str | None = None,
    releases_dir: str | None = None,
    key_file: str | None = None,
) -> dict[str, Any]:
    """Release each model's champion (all three, or `models`) to the stores `rollout` names."""
    logger = get_run_logger()
    target = target_from(lakehouse, releases_dir, base_url, mqtt_url, key_file)
    wanted = rollout_from(rollout, stores, share)
    names = [models] if isinstance(models, str) else list(models or MODELS)
    results: dict[str, Any] = {}
    for name in names:
        released = release_one(mlflow_uri, name, target, wanted)
        if released is None:
            logger.info("%s: no champion, or its release is already out to these stores", name)
            results[name] = "unchanged"
        else:
            logger.info("%s v%s released (%s), sha256 %s", name, released.version, rollout, released.sha256)
            results[name] = f"v{released.version} released ({released.rollout.mode})"
    return results
