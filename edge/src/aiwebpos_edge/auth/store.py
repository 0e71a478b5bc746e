"""All the SQL of users, sessions and failed logins."""

import json
import sqlite3
from dataclasses import dataclass

from aiwebpos_edge.db.rows import update_row


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    full_name: str
    password_hash: str
    has_pin: bool
    roles: tuple[str, ...]
    active: bool


def _user(row: sqlite3.Row | None) -> UserRow | None:
    if row is None:
        return None
    return UserRow(
        row["id"],
        row["username"],
        row["full_name"],
        row["password_hash"],
        row["pin_lookup"] is not None,
        tuple(json.loads(row["roles"])),
        bool(row["active"]),
    )


def user_by_name(conn: sqlite3.Connection, username: str) -> UserRow | None:
    return _user(conn.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone())


def user_by_id(conn: sqlite3.Connection, user_id: int) -> UserRow | None:
    return _user(conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone())


def user_by_pin(conn: sqlite3.Connection, lookup: str) -> UserRow | None:
    return _user(conn.execute("SELECT * FROM users WHERE pin_lookup = ?", (lookup,)).fetchone())


def pin_taken(conn: sqlite3.Connection, lookup: str, except_user: int | None = None) -> bool:
    row = conn.execute("SELECT id FROM users WHERE pin_lookup = ?", (lookup,)).fetchone()
    return row is not None and row[0] != except_user


def list_users(conn: sqlite3.Connection) -> list[UserRow]:
    return [u for row in conn.execute("SELECT * FROM users ORDER BY username") if (u := _user(row))]


def insert_user(
    conn: sqlite3.Connection,
    *,
    username: str,
    full_name: str,
    password_hash: str,
    pin_lookup: str | None,
    roles: list[str],
    at: str,
) -> int:
    cur = conn.execute(
        "INSERT INTO users (username, full_name, password_hash, pin_lookup, roles, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (username, full_name, password_hash, pin_lookup, json.dumps(roles), at, at),
    )
    return int(cur.lastrowid or 0)


def update_user(conn: sqlite3.Connection, user_id: int, at: str, **fields: object) -> None:
    if "roles" in fields:
        fields["roles"] = json.dumps(fields["roles"])
    update_row(conn, "users", ("id", user_id), {**fields, "updated_at": at})


@dataclass(frozen=True)
class SessionRow:
    id: str
    user_id: int
    username: str
    roles: tuple[str, ...]
    terminal_id: str | None
    client_ip: str | None
    last_seen_at: str
    expires_at: str
    ended: bool


def insert_session(
    conn: sqlite3.Connection,
    *,
    session_id: str,
    user_id: int,
    terminal_id: str | None,
    client_ip: str | None,
    method: str,
    at: str,
    expires_at: str,
) -> None:
    conn.execute(
        "INSERT INTO sessions (id, user_id, terminal_id, client_ip, method, created_at, last_seen_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (session_id, user_id, terminal_id, client_ip, method, at, at, expires_at),
    )


def session_by_id(conn: sqlite3.Connection, session_id: str) -> SessionRow | None:
    row = conn.execute(
        "SELECT s.*, u.username, u.roles, u.active FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.id = ?",
        (session_id,),
    ).fetchone()
    if row is None:
        return None
    return SessionRow(
        row["id"],
        row["user_id"],
        row["username"],
        tuple(json.loads(row["roles"])),
        row["terminal_id"],
        row["client_ip"],
        row["last_seen_at"],
        row["expires_at"],
        row["ended_at"] is not None or not row["active"],
    )


def touch_session(conn: sqlite3.Connection, session_id: str, at: str) -> None:
    conn.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL", (at, session_id))


def end_session(conn: sqlite3.Connection, session_id: str, at: str, reason: str) -> None:
    conn.execute(
        "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL",
        (at, reason, session_id),
    )


def end_sessions_of_user(conn: sqlite3.Connection, user_id: int, at: str, reason: str) -> list[str]:
    ids = [
        r[0]
        for r in conn.execute("SELECT id FROM sessions WHERE user_id = ? AND ended_at IS NULL", (user_id,))
    ]
    conn.execute(
        "UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL",
        (at, reason, user_id),
    )
    return ids


def failures(conn: sqlite3.Connection, key: str) -> tuple[int, str | None]:
    row = conn.execute("SELECT failures, locked_until FROM login_failures WHERE key = ?", (key,)).fetchone()
    return (row[0], row[1]) if row else (0, None)


def set_failures(
    conn: sqlite3.Connection, key: str, failures: int, locked_until: str | None, at: str
) -> None:
    conn.execute(
        "INSERT INTO login_failures (key, failures, locked_until, last_failure) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,"
        " last_failure = excluded.last_failure",
        (key, failures, locked_until, at),
    )


def clear_failures(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("DELETE FROM login_failures WHERE key = ?", (key,))
