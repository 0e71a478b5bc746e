"""Logins, sessions, users and manager approvals: the rules, with no HTTP in sight."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

import msgspec

from aiwebpos_contracts.commands import STORE_ROLES
from aiwebpos_edge.auth import store
from aiwebpos_edge.auth.permissions import can_approve
from aiwebpos_edge.auth.secrets import hash_password, pin_lookup, verify_password
from aiwebpos_edge.clock import iso, parse_iso
from aiwebpos_edge.errors import ApprovalRequired, Conflict, Invalid, NotFound
from aiwebpos_edge.tx import Actor, Tx


@dataclass(frozen=True)
class LoginPolicy:
    secret: bytes
    token_ttl: timedelta
    max_failures: int
    lockout: timedelta


@dataclass(frozen=True)
class LoginResult:
    """A login either opens a session or fails; a failure is still committed (counted and audited)."""

    user: store.UserRow | None
    session_id: str | None
    expires_at: str | None
    error: str | None = None
    locked: bool = False


def login_with_password(
    tx: Tx, policy: LoginPolicy, username: str, password: str, client_ip: str | None
) -> LoginResult:
    key = f"user:{username}"
    if (locked := _locked_message(tx, key)) is not None:
        return LoginResult(None, None, None, locked, locked=True)
    user = store.user_by_name(tx.conn, username)
    if user is None or not user.active or not verify_password(password, user.password_hash):
        return _fail(tx, policy, key, "wrong username or password", username=username, client_ip=client_ip)
    return _open_session(tx, policy, user, key, terminal_id=None, client_ip=client_ip, method="password")


def login_with_pin(
    tx: Tx, policy: LoginPolicy, terminal_id: str, pin: str, client_ip: str | None
) -> LoginResult:
    key = f"pin:{terminal_id}"
    if (locked := _locked_message(tx, key)) is not None:
        return LoginResult(None, None, None, locked, locked=True)
    user = store.user_by_pin(tx.conn, pin_lookup(pin, policy.secret))
    if user is None or not user.active:
        return _fail(tx, policy, key, "wrong PIN", terminal_id=terminal_id, client_ip=client_ip)
    return _open_session(tx, policy, user, key, terminal_id=terminal_id, client_ip=client_ip, method="pin")


def _locked_message(tx: Tx, key: str) -> str | None:
    _, locked_until = store.failures(tx.conn, key)
    if locked_until and parse_iso(locked_until) > tx.now:
        minutes = max(1, int((parse_iso(locked_until) - tx.now).total_seconds() + 59) // 60)
        return f"too many failed attempts: locked for {minutes} more minute(s)"
    return None


def _fail(tx: Tx, policy: LoginPolicy, key: str, message: str, **details: str | None) -> LoginResult:
    failures, _ = store.failures(tx.conn, key)
    failures += 1
    locked_until = None
    if failures >= policy.max_failures:
        locked_until, failures = iso(tx.now + policy.lockout), 0
        minutes = int(policy.lockout.total_seconds()) // 60
        message += f"; {policy.max_failures} failed attempts: locked for {minutes} minute(s)"
    store.set_failures(tx.conn, key, failures, locked_until, tx.at)
    tx.audit(
        "login.failed",
        details.get("username"),
        details.get("terminal_id"),
        key=key,
        client_ip=details.get("client_ip"),
        locked=locked_until is not None,
    )
    return LoginResult(None, None, None, message, locked=locked_until is not None)


def _open_session(
    tx: Tx,
    policy: LoginPolicy,
    user: store.UserRow,
    key: str,
    *,
    terminal_id: str | None,
    client_ip: str | None,
    method: str,
) -> LoginResult:
    store.clear_failures(tx.conn, key)
    session_id = secrets.token_urlsafe(18)
    expires_at = iso(tx.now + policy.token_ttl)
    store.insert_session(
        tx.conn,
        session_id=session_id,
        user_id=user.id,
        terminal_id=terminal_id,
        client_ip=client_ip,
        method=method,
        at=tx.at,
        expires_at=expires_at,
    )
    tx.audit("login", user.username, terminal_id, method=method, client_ip=client_ip)
    return LoginResult(user, session_id, expires_at)


def logout(tx: Tx, actor: Actor, session_id: str) -> None:
    store.end_session(tx.conn, session_id, tx.at, "logout")
    tx.audit("logout", actor.username, actor.terminal_id)


class NewUser(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    username: str
    password: str
    roles: list[str]
    pin: str | None = None
    full_name: str = ""


class UserChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    password: str | None = None
    roles: list[str] | None = None
    pin: str | None = None
    full_name: str | None = None
    active: bool | None = None


def _check_roles(roles: list[str]) -> None:
    unknown = sorted(set(roles) - set(STORE_ROLES))
    if unknown or not roles:
        raise Invalid(f"roles must be some of {', '.join(STORE_ROLES)} (got {', '.join(unknown) or 'none'})")


def _check_pin(tx: Tx, secret: bytes, pin: str, user_id: int | None) -> str:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise Invalid("a PIN is 4 to 8 digits")
    lookup = pin_lookup(pin, secret)
    if store.pin_taken(tx.conn, lookup, except_user=user_id):
        raise Conflict("that PIN is already in use at this store: choose another")
    return lookup


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise Invalid("a password needs at least 8 characters")


def create_user(tx: Tx, secret: bytes, actor: Actor | None, new: NewUser) -> store.UserRow:
    username = new.username.strip()
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise Invalid("a username is 1–64 letters, digits, '.', '-' or '_'")
    _check_roles(new.roles)
    _check_password(new.password)
    if store.user_by_name(tx.conn, username) is not None:
        raise Conflict(f"user {username!r} already exists")
    lookup = _check_pin(tx, secret, new.pin, None) if new.pin is not None else None
    user_id = store.insert_user(
        tx.conn,
        username=username,
        full_name=new.full_name,
        password_hash=hash_password(new.password),
        pin_lookup=lookup,
        roles=sorted(set(new.roles)),
        at=tx.at,
    )
    tx.audit(
        "user.created", actor.username if actor else None, None, username=username, roles=sorted(new.roles)
    )
    user = store.user_by_id(tx.conn, user_id)
    assert user is not None
    return user


def change_user(
    tx: Tx, secret: bytes, actor: Actor, username: str, change: UserChange
) -> tuple[store.UserRow, list[str]]:
    """Apply a change; returns the user and the sessions it ended (role, PIN or password changes log out)."""
    user = store.user_by_name(tx.conn, username)
    if user is None:
        raise NotFound(f"no user {username!r}")
    fields: dict[str, object] = {}
    if change.roles is not None:
        _check_roles(change.roles)
        fields["roles"] = sorted(set(change.roles))
    if change.password is not None:
        _check_password(change.password)
        fields["password_hash"] = hash_password(change.password)
    if change.pin is not None:
        fields["pin_lookup"] = _check_pin(tx, secret, change.pin, user.id) if change.pin else None
    if change.full_name is not None:
        fields["full_name"] = change.full_name
    if change.active is not None:
        fields["active"] = int(change.active)
    drops_admin = change.roles is not None and "admin" not in change.roles
    if user.id == actor.user_id and (change.active is False or drops_admin):
        raise Conflict("you cannot deactivate yourself or drop your own admin role")
    if not fields:
        raise Invalid("nothing to change")
    store.update_user(tx.conn, user.id, tx.at, **fields)
    ended: list[str] = []
    if fields.keys() - {"full_name"}:
        ended = store.end_sessions_of_user(tx.conn, user.id, tx.at, "user changed")
    audited = sorted(k if k != "pin_lookup" else "pin" for k in fields)
    tx.audit(
        "user.changed",
        actor.username,
        actor.terminal_id,
        username=username,
        fields=audited,
        roles=fields.get("roles"),
    )
    updated = store.user_by_id(tx.conn, user.id)
    assert updated is not None
    return updated, ended


def approver_by_pin(
    tx: Tx, secret: bytes, pin: str | None, terminal_id: str | None, why: str
) -> store.UserRow:
    """The manager whose PIN approves `why`; ApprovalRequired when there is none or it is wrong."""
    if not pin:
        raise ApprovalRequired(f"{why} needs a manager's approval: enter a manager PIN")
    user = store.user_by_pin(tx.conn, pin_lookup(pin, secret))
    if user is None or not user.active or not can_approve(user.roles):
        raise ApprovalRequired(f"that PIN cannot approve {why}: a manager's PIN is needed")
    return user


@dataclass(frozen=True)
class Approval:
    user_id: int
    username: str


def approve(tx: Tx, secret: bytes, actor: Actor, pin: str | None, why: str) -> Approval:
    """A manager acting approves by themself; anyone else needs a manager's PIN entered at the till."""
    if can_approve(actor.roles):
        return Approval(actor.user_id, actor.username)
    user = approver_by_pin(tx, secret, pin, actor.terminal_id, why)
    return Approval(user.id, user.username)
