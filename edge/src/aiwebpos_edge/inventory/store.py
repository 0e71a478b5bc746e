"""All the SQL of stock: movements, and on hand as their sum."""

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class MovementRow:
    id: int
    quantity_milli: int
    kind: str
    reference: str | None
    reason: str | None
    username: str | None
    created_at: str


def insert_movement(
    conn: sqlite3.Connection,
    *,
    product_id: int,
    quantity_milli: int,
    kind: str,
    reference: str | None,
    reason: str | None,
    user_id: int | None,
    at: str,
) -> int:
    cur = conn.execute(
        "INSERT INTO stock_movements (product_id, quantity_milli, kind, reference, reason, user_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (product_id, quantity_milli, kind, reference, reason, user_id, at),
    )
    return int(cur.lastrowid or 0)


def on_hand(conn: sqlite3.Connection, product_id: int) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(quantity_milli), 0) FROM stock_movements WHERE product_id = ?", (product_id,)
    ).fetchone()
    return int(row[0])


_SELECT = (
    "SELECT m.id, m.quantity_milli, m.kind, m.reference, m.reason, u.username, m.created_at"
    " FROM stock_movements m LEFT JOIN users u ON u.id = m.user_id"
)


def movement_by_id(conn: sqlite3.Connection, movement_id: int) -> MovementRow | None:
    row = conn.execute(f"{_SELECT} WHERE m.id = ?", (movement_id,)).fetchone()
    return MovementRow(*row) if row else None


def latest_movements(conn: sqlite3.Connection, product_id: int, limit: int = 50) -> list[MovementRow]:
    rows = conn.execute(f"{_SELECT} WHERE m.product_id = ? ORDER BY m.id DESC LIMIT ?", (product_id, limit))
    return [MovementRow(*row) for row in rows]
