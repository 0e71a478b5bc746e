"""Bearer tokens (JWT, HS256) signed with HQ's own secret; a token names the user and roles."""

import secrets
from datetime import datetime, timedelta
from pathlib import Path

import jwt
import msgspec


class Claims(msgspec.Struct, kw_only=True):
    sub: str
    roles: list[str]
    exp: int


def load_or_create_secret(path: Path) -> bytes:
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    path.write_bytes(secret)
    path.chmod(0o600)
    return secret


def issue(secret: bytes, username: str, roles: list[str], now: datetime, ttl: timedelta) -> str:
    return jwt.encode({"sub": username, "roles": roles, "exp": int((now + ttl).timestamp())}, secret, "HS256")


def verify(secret: bytes, token: str) -> Claims | None:
    try:
        decoded = jwt.decode(token, secret, algorithms=["HS256"], options={"require": ["exp", "sub"]})
        return msgspec.convert(decoded, Claims)
    except (jwt.PyJWTError, msgspec.ValidationError):
        return None
