"""Every request but the public ones carries a bearer token of a live session, and the same middleware
checks the permission that each route declares in its `opt` (routes without one are refused: fail
closed). Not a Litestar guard: Litestar copies the route handler for every guard call, ~5 % of a
till request's CPU on a Pi."""

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from aiwebpos_edge.auth import store
from aiwebpos_edge.auth.permissions import allowed
from aiwebpos_edge.auth.sessions import PERSIST_EVERY
from aiwebpos_edge.auth.tokens import decode_token
from aiwebpos_edge.clock import iso
from aiwebpos_edge.errors import Forbidden, Unauthorized
from aiwebpos_edge.node import Node
from aiwebpos_edge.tx import Actor


class BearerSessionMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:  # type: ignore[type-arg]
        node: Node = connection.app.state.node
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("log in first: this needs an 'Authorization: Bearer <token>' header")
        now = node.clock.now()
        claims = decode_token(token.strip(), secret=node.secret, now=now)
        if claims is None:
            raise Unauthorized("your login has expired or is not valid: log in again")
        live = node.sessions.get(claims.session_id)
        if live is None:
            row = await node.read(lambda conn: store.session_by_id(conn, claims.session_id))
            if row is None:
                raise Unauthorized("your session is unknown: log in again")
            live = node.sessions.load(row)
        if live.ended:
            raise Unauthorized("your session has ended: log in again")
        if node.sessions.idle_for(live, now) > node.sessions.idle:
            live.ended = True
            minutes = int(node.sessions.idle.total_seconds()) // 60
            await node.write(lambda tx: store.end_session(tx.conn, claims.session_id, tx.at, "idle"))
            raise Unauthorized(f"logged out after {minutes} minutes without activity: log in again")
        live.last_seen = now
        if now - live.persisted >= PERSIST_EVERY:
            live.persisted = now
            await node.write(lambda tx: store.touch_session(tx.conn, claims.session_id, iso(now)))
        check_permission(live.actor, connection.scope["route_handler"].opt.get("permission"))
        return AuthenticationResult(user=live.actor, auth=claims)


def check_permission(actor: Actor, permission: str | None) -> None:
    """Public routes (login, health) and the API's own description never get here (the middleware
    excludes them)."""
    if permission is None:
        raise Forbidden("this route is not open to anyone")
    if not allowed(actor.roles, permission):
        raise Forbidden(f"your role ({', '.join(actor.roles)}) may not do this (needs {permission})")
