"""SQL of local fraud scoring: the queue of transactions to score, their scores, the held events."""

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from aiwebpos_contracts.events import FraudScore
from aiwebpos_edge.tx import Tx

Kind = Literal["sale", "return", "shift"]


@dataclass(frozen=True)
class Queued:
    kind: Kind
    ref: str
    seq: int
    shift_id: str | None
    envelope: str


@dataclass(frozen=True)
class Scored:
    seq: int
    score: FraudScore
    envelope: str  # the event with its score, to send in place of the held one


def queue(
    tx: Tx,
    *,
    kind: Kind,
    ref: str,
    seq: int,
    shift_id: str | None,
    terminal_id: str | None,
    cashier: str,
    total_cents: int,
) -> None:
    """Record a transaction for scoring in its own transaction; hold its event while a model scores it.

    With no fraud model loaded the row is still written: a shift closed later is scored from the
    events of all its transactions, whichever were scored on their own."""
    status = "pending" if tx.score_hold_s is not None else "unscored"
    tx.conn.execute(
        "INSERT INTO fraud_scores (kind, ref, seq, shift_id, terminal_id, cashier, occurred_at, total_cents,"
        " status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (kind, ref, seq, shift_id, terminal_id, cashier, tx.at, total_cents, status),
    )
    if tx.score_hold_s is not None:
        tx.conn.execute(
            "UPDATE outbox SET held_until = ? WHERE seq = ?", (time.time() + tx.score_hold_s, seq)
        )
        if tx.wake_scorer is not None:
            tx.after_commit.append(tx.wake_scorer)


def pending(conn: sqlite3.Connection, limit: int) -> list[Queued]:
    rows = conn.execute(
        "SELECT f.kind, f.ref, f.seq, f.shift_id, o.envelope FROM fraud_scores f JOIN outbox o USING (seq)"
        " WHERE f.status = 'pending' ORDER BY f.seq LIMIT ?",
        (limit,),
    )
    return [Queued(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def returned_receipts(conn: sqlite3.Connection, seqs: Sequence[int]) -> list[str]:
    """The receipts that these events (where they are returns) took goods back from."""
    if not seqs:
        return []
    marks = ", ".join("?" * len(seqs))
    rows = conn.execute(
        "SELECT DISTINCT json_extract(envelope, '$.payload.original_receipt_no') FROM outbox"
        f" WHERE type = 'return.completed' AND seq IN ({marks})",
        list(seqs),
    )
    return [row[0] for row in rows]


def shift_transaction_seqs(conn: sqlite3.Connection, shift_id: str) -> list[int]:
    rows = conn.execute(
        "SELECT seq FROM fraud_scores WHERE shift_id = ? AND kind IN ('sale', 'return') ORDER BY seq",
        (shift_id,),
    )
    return [row[0] for row in rows]


def transactions_of_shift(conn: sqlite3.Connection, shift_id: str) -> list[str]:
    """The events (sales and returns) of a shift, in the order they happened."""
    rows = conn.execute(
        "SELECT o.envelope FROM fraud_scores f JOIN outbox o USING (seq)"
        " WHERE f.shift_id = ? AND f.kind IN ('sale', 'return') ORDER BY f.seq",
        (shift_id,),
    )
    return [row[0] for row in rows]


def sale_events(conn: sqlite3.Connection, receipt_nos: Iterable[str]) -> list[str]:
    """The `sale.completed` events of these receipts (what a return is compared with)."""
    wanted = sorted(set(receipt_nos))
    if not wanted:
        return []
    marks = ", ".join("?" * len(wanted))
    rows = conn.execute(
        "SELECT o.envelope FROM fraud_scores f JOIN outbox o USING (seq)"
        f" WHERE f.kind = 'sale' AND f.ref IN ({marks})",
        wanted,
    )
    return [row[0] for row in rows]


def record(conn: sqlite3.Connection, scored: Sequence[Scored], at: str) -> None:
    """Store each score; put it in its event too, unless the event already left (the hold ran out)."""
    conn.executemany(
        "UPDATE fraud_scores SET status = 'scored', score = ?, reasons = ?, model_version = ?, scored_at = ?"
        " WHERE seq = ?",
        [(i.score.score, json.dumps(i.score.reasons), i.score.version, at, i.seq) for i in scored],
    )
    # An event once sent never changes: the cloud keeps the first copy of an event_id.
    conn.executemany(
        "UPDATE outbox SET envelope = ?, held_until = NULL WHERE seq = ? AND published_at IS NULL",
        [(i.envelope, i.seq) for i in scored],
    )


def release(conn: sqlite3.Connection, seqs: Sequence[int]) -> None:
    """No score is coming for these (no model, or the model failed): let their events go unscored."""
    conn.executemany("UPDATE fraud_scores SET status = 'unscored' WHERE seq = ?", [(s,) for s in seqs])
    conn.executemany("UPDATE outbox SET held_until = NULL WHERE seq = ?", [(s,) for s in seqs])


def recent(
    conn: sqlite3.Connection,
    *,
    since: str,
    min_score: float,
    kind: Kind | None,
    limit: int,
) -> list[dict[str, Any]]:
    """What the manager reviews: transactions and shifts since `since`, highest score first."""
    sql = (
        "SELECT kind, ref, shift_id, terminal_id, cashier, occurred_at, total_cents, status, score, reasons,"
        " model_version, scored_at FROM fraud_scores WHERE occurred_at >= ? AND COALESCE(score, 0) >= ?"
    )
    args: list[Any] = [since, min_score]
    if kind is not None:
        sql += " AND kind = ?"
        args.append(kind)
    sql += " ORDER BY score IS NULL, score DESC, occurred_at DESC LIMIT ?"
    args.append(limit)
    return [
        {**dict(row), "reasons": json.loads(row["reasons"]) if row["reasons"] else []}
        for row in conn.execute(sql, args)
    ]
