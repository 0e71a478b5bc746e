"""Login and HQ's own users. Every login, failed login and user change is audited."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException, NotAuthorizedException
from litestar.params import Body
from sqlalchemy import select

from aiwebpos_cloud.hq import audit
from aiwebpos_cloud.hq.auth import tokens
from aiwebpos_cloud.hq.auth.guard import CLAIMS
from aiwebpos_cloud.hq.auth.passwords import TOO_SHORT, check_password, hash_password, long_enough
from aiwebpos_cloud.hq.auth.permissions import HQ_ROLES
from aiwebpos_cloud.hq.db.models import User
from aiwebpos_cloud.hq.state import HqDep


class Login(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    username: str
    password: str


class UserOut(msgspec.Struct, kw_only=True):
    username: str
    roles: list[str]
    full_name: str = ""
    active: bool = True


class LoginAnswer(msgspec.Struct, kw_only=True):
    access_token: str
    user: UserOut
    token_type: str = "bearer"  # noqa: S105 - the scheme's name, not a secret


class NewUser(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    username: str
    password: str
    roles: list[str]
    full_name: str = ""


def claims_of(request: Request[Any, Any, Any]) -> tokens.Claims:
    claims: tokens.Claims = request.scope[CLAIMS]  # type: ignore[literal-required]
    return claims


def client_ip(request: Request[Any, Any, Any]) -> str | None:
    """The address the audit log records for an action."""
    return request.client.host if request.client else None


class AuthController(Controller):
    path = "/api/v1/auth"

    @post("/login", opt={"public": True}, status_code=200)
    async def login(
        self, hq: HqDep, request: Request[Any, Any, Any], data: Annotated[Login, Body()]
    ) -> LoginAnswer:
        async with hq.sessions.begin() as session:
            user = (await session.execute(select(User).where(User.username == data.username))).scalar()
            if user is None or not user.active or not check_password(data.password, user.password_hash):
                await audit.record(session, hq.at(), data.username[:64], "login.failed", client_ip(request))
                failed = True
            else:
                await audit.record(session, hq.at(), user.username, "login", client_ip(request))
                failed = False
        if failed or user is None:
            raise NotAuthorizedException("wrong username or password")
        token = tokens.issue(hq.secret, user.username, list(user.roles), hq.now(), hq.token_ttl)
        return LoginAnswer(
            access_token=token,
            user=UserOut(username=user.username, roles=list(user.roles), full_name=user.full_name),
        )

    @get("/me", opt={"permission": "session.self"})
    async def me(self, request: Request[Any, Any, Any]) -> UserOut:
        claims = claims_of(request)
        return UserOut(username=claims.sub, roles=claims.roles)


class UserController(Controller):
    path = "/api/v1/users"

    @get("/", opt={"permission": "users.manage"})
    async def users(self, hq: HqDep) -> list[UserOut]:
        async with hq.sessions() as session:
            rows = (await session.execute(select(User).order_by(User.username))).scalars()
            return [
                UserOut(username=u.username, roles=list(u.roles), full_name=u.full_name, active=u.active)
                for u in rows
            ]

    @post("/", opt={"permission": "users.manage"})
    async def create(
        self, hq: HqDep, request: Request[Any, Any, Any], data: Annotated[NewUser, Body()]
    ) -> UserOut:
        actor = claims_of(request).sub
        async with hq.sessions.begin() as session:
            await add_user(session, hq, data, actor, client_ip(request))
        return UserOut(username=data.username, roles=data.roles, full_name=data.full_name)


async def add_user(session: Any, hq: HqDep, data: NewUser, actor: str | None, ip: str | None = None) -> None:
    username = data.username.strip()
    if not username or len(username) > 64:
        raise ClientException("a username has 1 to 64 characters")
    unknown = sorted(set(data.roles) - set(HQ_ROLES))
    if not data.roles or unknown:
        raise ClientException(
            f"roles must be some of {', '.join(HQ_ROLES)}"
            + (f" (not {', '.join(unknown)})" if unknown else "")
        )
    if not long_enough(data.password):
        raise ClientException(TOO_SHORT)
    if (await session.execute(select(User).where(User.username == username))).scalar() is not None:
        raise ClientException(f"user {username} already exists", status_code=409)
    session.add(
        User(
            username=username,
            password_hash=hash_password(data.password),
            roles=sorted(set(data.roles)),
            full_name=data.full_name,
            active=True,
            created_at=hq.at(),
        )
    )
    await audit.record(
        session, hq.at(), actor, "user.created", ip, username=username, roles=sorted(set(data.roles))
    )
