"""Password and PIN hashing, and the node's secret.

Passwords: scrypt from the standard library (no native dependency to build on a Pi). PINs are short,
so they are found and proven by an HMAC under the node's secret: a stolen database alone reveals
nothing, and a PIN login costs one hash, not one scrypt per user.
"""

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

_N, _R, _P, _LEN = 2**14, 8, 1, 32


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LEN)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    salt_b, digest_b = base64.b64decode(salt), base64.b64decode(digest)
    candidate = hashlib.scrypt(
        password.encode(), salt=salt_b, n=int(n), r=int(r), p=int(p), dklen=len(digest_b)
    )
    return hmac.compare_digest(candidate, digest_b)


def pin_lookup(pin: str, secret: bytes) -> str:
    return hmac.new(secret, f"pin:{pin}".encode(), hashlib.sha256).hexdigest()


def load_or_create_secret(path: Path) -> bytes:
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return bytes.fromhex(path.read_text(encoding="utf-8").strip())


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
