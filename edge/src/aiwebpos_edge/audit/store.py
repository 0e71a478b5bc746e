"""All the SQL of the audit log."""

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from aiwebpos_edge.audit.chain import GENESIS, AuditEntry, entry_hash


def append(
    conn: sqlite3.Connection,
    *,
    at: str,
    action: str,
    actor: str | None,
    terminal_id: str | None,
    details: dict[str, Any],
) -> AuditEntry:
    head = conn.execute("SELECT last_id, last_hash FROM audit_head WHERE one = 1").fetchone()
    last_id, prev_hash = (head[0], head[1]) if head else (0, GENESIS)
    entry_id = last_id + 1
    digest = entry_hash(
        id=entry_id,
        at=at,
        action=action,
        actor=actor,
        terminal_id=terminal_id,
        details=details,
        prev_hash=prev_hash,
    )
    conn.execute(
        "INSERT INTO audit_log (id, at, action, actor, terminal_id, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (entry_id, at, action, actor, terminal_id, json.dumps(details, sort_keys=True), prev_hash, digest),
    )
    conn.execute(
        "INSERT INTO audit_head (one, last_id, last_hash) VALUES (1, ?, ?)"
        " ON CONFLICT (one) DO UPDATE SET last_id = excluded.last_id, last_hash = excluded.last_hash",
        (entry_id, digest),
    )
    return AuditEntry(entry_id, at, action, actor, terminal_id, details, prev_hash, digest)


def _entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        row["id"],
        row["at"],
        row["action"],
        row["actor"],
        row["terminal_id"],
        json.loads(row["details"]),
        row["prev_hash"],
        row["hash"],
    )


def iter_entries(conn: sqlite3.Connection) -> Iterator[AuditEntry]:
    for row in conn.execute("SELECT * FROM audit_log ORDER BY id"):
        yield _entry(row)


def head(conn: sqlite3.Connection) -> tuple[int, str] | None:
    row = conn.execute("SELECT last_id, last_hash FROM audit_head WHERE one = 1").fetchone()
    return (row[0], row[1]) if row else None


def list_entries(
    conn: sqlite3.Connection, *, after_id: int, limit: int, action: str | None
) -> list[AuditEntry]:
    sql, args = "SELECT * FROM audit_log WHERE id > ?", list[object]([after_id])
    if action:
        sql += " AND action = ?"
        args.append(action)
    rows = conn.execute(sql + " ORDER BY id LIMIT ?", [*args, limit])
    return [_entry(row) for row in rows]
