"""Whether a model release may be loaded (pure): signed by our key, of our format, small enough, and its
artifact the very bytes that were signed.

Two steps, so that the node does not download what it would refuse anyway: `check_release` looks at the
release message alone (format, declared size, key, signature); `check_artifact` at the downloaded bytes
(size and sha256). The signature covers the sha256 (`signing_payload`), so together they prove the bytes.
Each answer is None (fine) or the reason in words a person at HQ can act on.
"""

import base64
import binascii
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from aiwebpos_contracts.releases import BUNDLE_TAR, ModelRelease, signing_payload


def key_id(raw_public_key: bytes) -> str:
    """The contract's key id: the first 16 hex digits of the sha256 of the raw public key."""
    return hashlib.sha256(raw_public_key).hexdigest()[:16]


def parse_public_key(setting: str | None) -> bytes | None:
    """The raw 32 bytes of the `model_public_key` setting, or None when it is unset or malformed."""
    if not setting:
        return None
    try:
        raw = base64.b64decode(setting, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 else None


def check_release(release: ModelRelease, public_key: bytes | None, max_bytes: int) -> str | None:
    if public_key is None:
        return "no valid model_public_key is set on this node: it loads no model release until one is"
    if release.format != BUNDLE_TAR:
        return f"unknown artifact format {release.format!r} (this node loads {BUNDLE_TAR})"
    if release.size_bytes > max_bytes:
        return f"artifact of {release.size_bytes} bytes is over this node's model_max_bytes ({max_bytes})"
    if not release.signature:
        return "the release is not signed"
    if release.key_id != key_id(public_key):
        return f"signed with key {release.key_id!r}, but this node trusts only key {key_id(public_key)!r}"
    try:
        signature = base64.b64decode(release.signature, validate=True)
    except (binascii.Error, ValueError):
        return "the signature is not valid base64"
    payload = signing_payload(release.name, release.version, release.format, release.sha256)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, payload)
    except InvalidSignature:
        return "bad signature: the release was not signed by this node's trusted key, or was altered"
    return None


def check_artifact(release: ModelRelease, artifact: bytes, max_bytes: int) -> str | None:
    if len(artifact) > max_bytes:
        return f"artifact is over this node's model_max_bytes ({max_bytes})"
    if len(artifact) != release.size_bytes:
        return (
            f"artifact is {len(artifact)} bytes, the release says {release.size_bytes}: refused as tampered"
        )
    digest = hashlib.sha256(artifact).hexdigest()
    if digest != release.sha256.lower():
        return f"artifact sha256 {digest} differs from the signed {release.sha256}: refused as tampered"
    return None
