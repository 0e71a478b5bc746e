"""Password hashes: scrypt from the standard library (memory-hard; no extra dependency)."""

import base64
import hashlib
import hmac
import os

_N, _R, _P = 2**14, 8, 1

MIN_PASSWORD = 8
TOO_SHORT = f"a password has at least {MIN_PASSWORD} characters"


def long_enough(password: str) -> bool:
    """HQ's one rule for every password it sets or pushes (its own users, its first admin, a store's)."""
    return len(password) >= MIN_PASSWORD


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
