"""The outbox: every business change writes its event here, in the same transaction as the change."""

import sqlite3
import time
from typing import Any

import msgspec

from aiwebpos_contracts import Envelope, encode_envelope, event_type_of, uuid7


def append_event(
    conn: sqlite3.Connection,
    *,
    store_id: str,
    payload: msgspec.Struct,
    terminal_id: str | None,
    occurred_at: str,
) -> int:
    """Write the event of `payload` with the next `seq` (gap-free: writes are serialised) and return it."""
    seq = int(conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox").fetchone()[0])
    event_type = event_type_of(payload)
    envelope = Envelope(
        event_id=str(uuid7()),
        type=event_type,
        store_id=store_id,
        terminal_id=terminal_id,
        seq=seq,
        occurred_at=occurred_at,
        payload=msgspec.to_builtins(payload),
    )
    conn.execute(
        "INSERT INTO outbox (seq, event_id, type, terminal_id, occurred_at, envelope)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (seq, envelope.event_id, event_type, terminal_id, occurred_at, encode_envelope(envelope).decode()),
    )
    return seq


def outbox_status(conn: sqlite3.Connection) -> dict[str, Any]:
    pending = conn.execute("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL").fetchone()[0]
    last = conn.execute(
        "SELECT seq, published_at FROM outbox WHERE published_at IS NOT NULL ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    last_seq = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()[0]
    return {
        "outbox_pending": pending,
        "last_seq": last_seq,
        "last_published_seq": last["seq"] if last else None,
        "last_published_at": last["published_at"] if last else None,
    }


def last_published_seq(conn: sqlite3.Connection) -> int:
    """Where draining resumes: just before the first event not yet acknowledged."""
    row = conn.execute("SELECT MIN(seq) FROM outbox WHERE published_at IS NULL").fetchone()
    if row[0] is not None:
        return int(row[0]) - 1
    return int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()[0])


def unpublished(conn: sqlite3.Connection, *, after: int, limit: int) -> list[tuple[int, str, str]]:
    """The next events to send, in `seq` order, up to the first still held for its fraud score (the
    cloud reads a store's events in order; a hold lasts seconds at most)."""
    rows = conn.execute(
        "SELECT seq, type, envelope, held_until FROM outbox WHERE seq > ? AND published_at IS NULL"
        " ORDER BY seq LIMIT ?",
        (after, limit),
    )
    now, ready = time.time(), []
    for seq, event_type, envelope, held_until in rows:
        if held_until is not None and held_until > now:
            break
        ready.append((seq, event_type, envelope))
    return ready


def mark_published(conn: sqlite3.Connection, seqs: list[int], at: str) -> None:
    conn.executemany("UPDATE outbox SET published_at = ? WHERE seq = ?", [(at, seq) for seq in seqs])
