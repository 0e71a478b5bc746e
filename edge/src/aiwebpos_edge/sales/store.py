"""All the SQL of selling."""

import sqlite3
from typing import Any

from aiwebpos_edge.db.rows import insert_row, update_row
from aiwebpos_edge.errors import NotFound
from aiwebpos_edge.sales.pricing import Tendered


def sale(conn: sqlite3.Connection, sale_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT s.*, u.username AS cashier FROM sales s JOIN users u ON u.id = s.user_id WHERE s.id = ?",
        (sale_id,),
    ).fetchone()
    return row


def lines(conn: sqlite3.Connection, sale_id: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM sale_lines WHERE sale_id = ? ORDER BY id", (sale_id,)).fetchall()


def line(conn: sqlite3.Connection, sale_id: str, line_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM sale_lines WHERE sale_id = ? AND id = ?", (sale_id, line_id)
    ).fetchone()
    return row


def payments(conn: sqlite3.Connection, sale_id: str) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM payments WHERE sale_id = ? ORDER BY id", (sale_id,)).fetchall()


def tendered(rows: list[sqlite3.Row]) -> list[Tendered]:
    return [Tendered(r["method"], r["amount_cents"]) for r in rows]


def insert_sale(
    conn: sqlite3.Connection, *, sale_id: str, terminal_id: str, shift_id: str, user_id: int, at: str
) -> None:
    conn.execute(
        "INSERT INTO sales (id, terminal_id, shift_id, user_id, status, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, 'open', ?, ?)",
        (sale_id, terminal_id, shift_id, user_id, at, at),
    )


def update_sale(conn: sqlite3.Connection, sale_id: str, at: str, **fields: Any) -> None:
    update_row(conn, "sales", ("id", sale_id), {**fields, "updated_at": at})


def insert_line(conn: sqlite3.Connection, **values: Any) -> int:
    return insert_row(conn, "sale_lines", values)


def update_line(conn: sqlite3.Connection, line_id: int, **fields: Any) -> None:
    update_row(conn, "sale_lines", ("id", line_id), fields)


def insert_payment(
    conn: sqlite3.Connection,
    *,
    sale_id: str,
    method: str,
    amount_cents: int,
    currency: str,
    reference: str | None,
    customer_id: str | None,
    at: str,
) -> int:
    cur = conn.execute(
        "INSERT INTO payments (sale_id, method, amount_cents, currency, reference, customer_id, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (sale_id, method, amount_cents, currency, reference, customer_id, at),
    )
    return int(cur.lastrowid or 0)


def delete_payment(conn: sqlite3.Connection, sale_id: str, payment_id: int) -> bool:
    cur = conn.execute("DELETE FROM payments WHERE sale_id = ? AND id = ?", (sale_id, payment_id))
    return cur.rowcount == 1


def next_receipt_number(conn: sqlite3.Connection, terminal_id: str) -> int:
    """The terminal's next tax-document number: allocated inside the completing transaction, so a
    rolled-back completion leaves no gap."""
    row = conn.execute(
        "INSERT INTO receipt_counters (terminal_id, last_no) VALUES (?, 1)"
        " ON CONFLICT (terminal_id) DO UPDATE SET last_no = last_no + 1 RETURNING last_no",
        (terminal_id,),
    ).fetchone()
    return int(row[0])


def list_sales(
    conn: sqlite3.Connection, *, status: str | None, terminal_id: str | None, limit: int
) -> list[str]:
    sql, args = "SELECT id FROM sales WHERE 1 = 1", []
    if status:
        sql += " AND status = ?"
        args.append(status)
    if terminal_id:
        sql += " AND terminal_id = ?"
        args.append(terminal_id)
    return [r[0] for r in conn.execute(sql + " ORDER BY created_at DESC LIMIT ?", (*args, limit))]


def receipt_json(conn: sqlite3.Connection, receipt_no: str) -> str | None:
    row = conn.execute(
        "SELECT receipt FROM sales WHERE receipt_no = ? UNION ALL SELECT receipt FROM returns WHERE receipt_no = ?",
        (receipt_no, receipt_no),
    ).fetchone()
    return row[0] if row else None


def terminal_of(conn: sqlite3.Connection, sale_id: str) -> str:
    row = conn.execute("SELECT terminal_id FROM sales WHERE id = ?", (sale_id,)).fetchone()
    if row is None:
        raise NotFound(f"no sale {sale_id}")
    return str(row[0])
