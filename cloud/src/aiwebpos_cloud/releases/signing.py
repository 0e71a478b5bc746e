"""Ed25519 release signing: the cloud holds the private key, every store the public key.

The public key travels as base64 of its raw 32 bytes: one short line a store's settings can hold. The
private key stays a PEM file readable by its owner only (0600): whoever reads it can ship code-free but
arbitrary models to every store of the chain.
"""

import base64
import binascii
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_KEY_FILE = "release-signing.key"
PUBLIC_KEY_FILE = "release-signing.pub"


class SigningKeyError(ValueError):
    """A key file that is missing, unreadable or not an Ed25519 key."""


def public_key_b64(private_key: Ed25519PrivateKey) -> str:
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def key_id(public_b64: str) -> str:
    """Which key signed (ModelRelease.key_id): the first 16 hex digits of the sha256 of the raw key."""
    return hashlib.sha256(base64.b64decode(public_b64, validate=True)).hexdigest()[:16]


def generate_key_pair(out_dir: Path) -> tuple[Path, str]:
    """Write a new private key to `out_dir/release-signing.key` (0600) and its public key beside it.

    Refuses to overwrite: replacing the key silently would make every store refuse the next release."""
    out_dir.mkdir(parents=True, exist_ok=True)
    private_path = out_dir / PRIVATE_KEY_FILE
    public_path = out_dir / PUBLIC_KEY_FILE
    for path in (private_path, public_path):
        if path.exists():
            raise FileExistsError(f"{path} exists: keep it, or move it away first to make a new key")
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # O_EXCL with the mode: the file is never readable by others, not even for an instant.
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(pem)
    public = public_key_b64(private_key)
    public_path.write_text(public + "\n", encoding="ascii")
    return private_path, public


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise SigningKeyError(f"cannot read the release signing key {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise SigningKeyError(f"{path} is not a PEM private key (make one with `releases keygen`)") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(
            f"{path} is not an Ed25519 key (make one with `aiwebpos-cloud releases keygen`)"
        )
    return key


def sign(private_key: Ed25519PrivateKey, payload: bytes) -> str:
    return base64.b64encode(private_key.sign(payload)).decode("ascii")


def verify(public_b64: str, payload: bytes, signature_b64: str) -> bool:
    """Whether `signature_b64` is the key's signature of `payload`; any malformed input is just False."""
    try:
        public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        public_key.verify(base64.b64decode(signature_b64, validate=True), payload)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
