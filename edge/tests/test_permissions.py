"""Every route × every role: the permission matrix is what the node enforces, and nothing is open by
accident (a route without a declared permission is refused to everyone)."""

import re
from typing import Any

from edge_support import Api
from litestar import Litestar
from litestar.routes import HTTPRoute

from aiwebpos_contracts.commands import STORE_ROLES
from aiwebpos_edge.auth.permissions import PERMISSIONS

# Login, health, and the till's own page (it holds no data: everything it shows comes with a token).
PUBLIC = {
    ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/pin"),
    ("GET", "/health"),
    ("GET", "/"),
    ("GET", "/till"),
    ("GET", "/till/no-such-thing"),
}


def _routes(app: Litestar) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith("/schema"):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                if method in ("HEAD", "OPTIONS"):
                    continue
                path = re.sub(r"\{\w+:int\}", "1", route.path)
                path = re.sub(r"\{\w+:(str|path)\}", "no-such-thing", path).replace("//", "/")
                found.append((method, path, handler.opt))
    return found


async def test_every_route_declares_a_known_permission_or_is_public(api: Api) -> None:
    for method, path, opt in _routes(api.client.app):
        if (method, path) in PUBLIC:
            assert opt.get("public") is True
        else:
            assert opt.get("permission") in PERMISSIONS, f"{method} {path} has no permission"


async def test_no_route_but_the_public_ones_answers_without_a_token(api: Api) -> None:
    for method, path, _ in _routes(api.client.app):
        if (method, path) in PUBLIC:
            continue
        answer = await api.client.request(method, path, json={})
        assert answer.status_code == 401, f"{method} {path} answered {answer.status_code} without a token"


async def test_each_role_reaches_exactly_the_routes_its_permissions_allow(api: Api) -> None:
    routes = [r for r in _routes(api.client.app) if (r[0], r[1]) not in PUBLIC]
    roles = [*STORE_ROLES]
    for role in roles:
        headers = await api.headers(role)
        for method, path, opt in routes:
            if path == "/api/v1/auth/logout":
                continue  # would end the session the walk uses; covered in test_auth
            answer = await api.client.request(method, path, json={}, headers=headers)
            granted = role in PERMISSIONS[opt["permission"]]
            assert answer.status_code < 500, f"{role} {method} {path}: {answer.status_code} {answer.text}"
            if granted:
                assert answer.status_code not in (401, 403), f"{role} refused {method} {path}: {answer.text}"
            else:
                assert answer.status_code == 403, f"{role} reached {method} {path}: {answer.status_code}"
