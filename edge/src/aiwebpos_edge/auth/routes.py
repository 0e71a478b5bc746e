"""HTTP of auth: parse, authorise, call the service, answer."""

from datetime import timedelta

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from aiwebpos_edge.auth import service, store
from aiwebpos_edge.auth.tokens import issue_token
from aiwebpos_edge.clock import parse_iso
from aiwebpos_edge.errors import Locked, Unauthorized
from aiwebpos_edge.node import ActorRequest, NodeDep


class PasswordLogin(msgspec.Struct, forbid_unknown_fields=True):
    username: str
    password: str


class PinLogin(msgspec.Struct, forbid_unknown_fields=True):
    terminal_id: str
    pin: str


class UserOut(msgspec.Struct):
    username: str
    roles: list[str]
    full_name: str = ""
    active: bool = True
    has_pin: bool = False


class LoginAnswer(msgspec.Struct):
    access_token: str
    token_type: str
    expires_in: int
    user: UserOut
    terminal_id: str | None = None


def user_out(user: store.UserRow) -> UserOut:
    return UserOut(user.username, list(user.roles), user.full_name, user.active, user.has_pin)


def _answer(node: NodeDep, result: service.LoginResult, terminal_id: str | None) -> LoginAnswer:
    if result.user is None or result.session_id is None or result.expires_at is None:
        raise (Locked if result.locked else Unauthorized)(result.error or "login refused")
    now, expires_at = node.clock.now(), parse_iso(result.expires_at)
    token = issue_token(
        secret=node.secret,
        session_id=result.session_id,
        username=result.user.username,
        user_id=result.user.id,
        roles=list(result.user.roles),
        terminal_id=terminal_id,
        issued_at=now,
        expires_at=expires_at,
    )
    expires_in = int((expires_at - now) / timedelta(seconds=1))
    return LoginAnswer(token, "bearer", expires_in, user_out(result.user), terminal_id)


def _client_ip(request: Request) -> str | None:  # type: ignore[type-arg]
    return request.client.host if request.client else None


class AuthController(Controller):
    path = "/api/v1/auth"

    @post("/login", opt={"public": True}, status_code=HTTP_200_OK)
    async def login(self, request: Request, node: NodeDep, data: JSONBody[PasswordLogin]) -> LoginAnswer:  # type: ignore[type-arg]
        ip = _client_ip(request)
        result = await node.write(
            lambda tx: service.login_with_password(tx, node.login_policy, data.username, data.password, ip)
        )
        return _answer(node, result, None)

    @post("/pin", opt={"public": True}, status_code=HTTP_200_OK)
    async def pin(self, request: Request, node: NodeDep, data: JSONBody[PinLogin]) -> LoginAnswer:  # type: ignore[type-arg]
        ip = _client_ip(request)
        result = await node.write(
            lambda tx: service.login_with_pin(tx, node.login_policy, data.terminal_id, data.pin, ip)
        )
        return _answer(node, result, data.terminal_id)

    @post("/logout", opt={"permission": "session.self"}, status_code=HTTP_200_OK)
    async def logout(self, request: ActorRequest, node: NodeDep) -> dict[str, str]:
        session_id = request.auth.session_id
        await node.write(lambda tx: service.logout(tx, request.user, session_id))
        node.sessions.end([session_id])
        return {"status": "logged out"}

    @get("/me", opt={"permission": "session.self"})
    async def me(self, request: ActorRequest) -> dict[str, object]:
        actor = request.user
        return {"username": actor.username, "roles": list(actor.roles), "terminal_id": actor.terminal_id}


class UserController(Controller):
    path = "/api/v1/users"

    @post("/", opt={"permission": "users.manage"}, status_code=HTTP_201_CREATED)
    async def create(self, request: ActorRequest, node: NodeDep, data: JSONBody[service.NewUser]) -> UserOut:
        user = await node.write(lambda tx: service.create_user(tx, node.secret, request.user, data))
        return user_out(user)

    @get("/", opt={"permission": "users.read"})
    async def list_users(self, node: NodeDep) -> list[UserOut]:
        return [user_out(u) for u in await node.read(store.list_users)]

    @patch("/{username:str}", opt={"permission": "users.manage"})
    async def change(
        self,
        request: ActorRequest,
        node: NodeDep,
        username: FromPath[str],
        data: JSONBody[service.UserChange],
    ) -> UserOut:
        user, ended = await node.write(
            lambda tx: service.change_user(tx, node.secret, request.user, username, data)
        )
        node.sessions.end(ended)
        return user_out(user)
