"""JWT access tokens. Expiry is checked against the node's clock (so tests can move time)."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import jwt

_ALGORITHM = "HS256"


@dataclass(frozen=True)
class TokenClaims:
    session_id: str
    username: str
    expires_at: int


def issue_token(
    *,
    secret: bytes,
    session_id: str,
    username: str,
    user_id: int,
    roles: list[str],
    terminal_id: str | None,
    issued_at: datetime,
    expires_at: datetime,
) -> str:
    claims = {
        "sub": username,
        "uid": user_id,
        "roles": roles,
        "sid": session_id,
        "tid": terminal_id,
        "iat": int(issued_at.timestamp()),
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=_ALGORITHM)


def decode_token(token: str, *, secret: bytes, now: datetime) -> TokenClaims | None:
    """The claims of a valid, unexpired token signed with our secret; None otherwise."""
    claims = _verified(token, secret)
    if claims is None or claims.expires_at <= now.timestamp():
        return None
    return claims


@lru_cache(maxsize=4096)
def _verified(token: str, secret: bytes) -> TokenClaims | None:
    """Signature check and decoding, cached: a till sends the same token with every request (expiry is
    checked by the caller each time, against the node's clock)."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=[_ALGORITHM], options={"verify_exp": False, "verify_iat": False}
        )
        expires_at = int(claims["exp"])
        session_id, username = str(claims["sid"]), str(claims["sub"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None
    return TokenClaims(session_id, username, expires_at)
