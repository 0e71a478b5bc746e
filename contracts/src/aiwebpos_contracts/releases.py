"""A model release (`aiwebpos/v1/models/{model_name}`, retained): what a store downloads, checks and runs.

The artifact is the model bundle (`aiwebpos_models.bundle`: skops files and manifest.json) as an
uncompressed tar. Its sha256 and an Ed25519 signature travel in the release; the signature covers
`signing_payload(...)` — model name, version, format and sha256 — so a valid signature of one model
cannot be replayed for another name or version. A store checks both against the public key in its
settings before it loads anything, and loads only skops' trusted types (no code runs on load).

Rollout says which stores take the release: all, a list, or a canary share (a stable hash of the store
id and the release id, so the same stores stay in a canary while its share grows). A store outside the
rollout keeps the model it has. A rollback is a new release of the previous version.
"""

import hashlib
from typing import Literal

import msgspec

BUNDLE_TAR = "aiwebpos-bundle/1+tar"


class Rollout(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    mode: Literal["all", "stores", "canary"] = "all"
    stores: list[str] = []  # mode "stores": exactly these store ids
    share: float = 1.0  # mode "canary": the share of stores (0 < share ≤ 1)


class ModelRelease(msgspec.Struct, kw_only=True):
    release_id: str  # UUIDv7: a rollback or a wider canary is a new release
    name: str  # "aiwebpos-forecast", "aiwebpos-fraud", "aiwebpos-pricing"
    version: str  # the MLflow model version
    format: str = BUNDLE_TAR
    artifact_url: str
    sha256: str  # of the artifact's bytes, lowercase hex
    size_bytes: int
    signature: str  # base64 Ed25519 signature of signing_payload(name, version, format, sha256)
    key_id: str  # which signing key (the first 16 hex digits of the sha256 of its raw public key)
    released_at: str
    rollout: Rollout = msgspec.field(default_factory=Rollout)
    previous_version: str | None = None  # what a rollback returns to
    reason: str = ""  # "champion", "canary 25 %", "rollback: fraud alerts doubled", …
    # A release to some stores carries the last release to every store, which the others run: the
    # retained message is the only one a store that connects (new, or reinstalled) ever sees.
    fallback: "ModelRelease | None" = None


def signing_payload(name: str, version: str, format: str, sha256: str) -> bytes:
    return f"aiwebpos-model-release\n{name}\n{version}\n{format}\n{sha256}\n".encode()


def in_rollout(rollout: Rollout, store_id: str, model_name: str) -> bool:
    """Whether the store takes this release (pure; the same answer on every node and in the cloud)."""
    if rollout.mode == "all":
        return True
    if rollout.mode == "stores":
        return store_id in rollout.stores
    digest = hashlib.sha256(f"{model_name}:{store_id}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64  # uniform in [0, 1)
    return position < rollout.share
