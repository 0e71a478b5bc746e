"""One guard on every route: a valid bearer token whose roles hold the route's `permission`."""

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from aiwebpos_cloud.hq.auth import tokens
from aiwebpos_cloud.hq.auth.permissions import allowed
from aiwebpos_cloud.hq.state import Hq

CLAIMS = "hq_claims"


def permission_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:  # type: ignore[type-arg]
    if handler.opt.get("public"):
        return
    permission = handler.opt.get("permission")
    if permission is None:  # a route that forgot to say who may use it is nobody's
        raise PermissionDeniedException("this route declares no permission")
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    hq: Hq = connection.app.state.hq
    claims = tokens.verify(hq.secret, token) if scheme.lower() == "bearer" else None
    if claims is None:
        raise NotAuthorizedException("log in first (the token is missing, expired or not HQ's)")
    if not allowed(claims.roles, permission):
        raise PermissionDeniedException(f"{claims.sub} may not do this ({permission})")
    connection.scope[CLAIMS] = claims  # type: ignore[literal-required]
