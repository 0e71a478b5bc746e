"""All the SQL of shifts, no-sales, and the rows a shift report is built from."""

import sqlite3
from dataclasses import dataclass

import msgspec

from aiwebpos_contracts.receipts import VatBreakdown
from aiwebpos_edge.shifts.report import (
    PaymentFacts,
    ReturnFacts,
    SaleFacts,
    ShiftActivity,
    VoidedLineFacts,
)


@dataclass(frozen=True)
class ShiftRow:
    id: str
    terminal_id: str
    user_id: int
    cashier: str
    status: str
    opening_float_cents: int
    opened_at: str
    closed_at: str | None
    counted_cash_cents: int | None
    z_report: str | None


_SELECT = "SELECT s.*, u.username AS cashier FROM shifts s JOIN users u ON u.id = s.user_id"


def _shift(row: sqlite3.Row) -> ShiftRow:
    return ShiftRow(
        row["id"],
        row["terminal_id"],
        row["user_id"],
        row["cashier"],
        row["status"],
        row["opening_float_cents"],
        row["opened_at"],
        row["closed_at"],
        row["counted_cash_cents"],
        row["z_report"],
    )


def shift_by_id(conn: sqlite3.Connection, shift_id: str) -> ShiftRow | None:
    row = conn.execute(f"{_SELECT} WHERE s.id = ?", (shift_id,)).fetchone()
    return _shift(row) if row else None


def open_shift_on(conn: sqlite3.Connection, terminal_id: str) -> ShiftRow | None:
    row = conn.execute(f"{_SELECT} WHERE s.terminal_id = ? AND s.status = 'open'", (terminal_id,)).fetchone()
    return _shift(row) if row else None


def list_shifts(
    conn: sqlite3.Connection, *, terminal_id: str | None, status: str | None, limit: int = 200
) -> list[ShiftRow]:
    rows = conn.execute(
        f"{_SELECT} WHERE (:terminal IS NULL OR s.terminal_id = :terminal)"
        " AND (:status IS NULL OR s.status = :status) ORDER BY s.opened_at DESC, s.id DESC LIMIT :limit",
        {"terminal": terminal_id, "status": status, "limit": limit},
    )
    return [_shift(row) for row in rows]


def insert_shift(
    conn: sqlite3.Connection, *, shift_id: str, terminal_id: str, user_id: int, float_cents: int, at: str
) -> None:
    conn.execute(
        "INSERT INTO shifts (id, terminal_id, user_id, status, opening_float_cents, opened_at)"
        " VALUES (?, ?, ?, 'open', ?, ?)",
        (shift_id, terminal_id, user_id, float_cents, at),
    )


def close_shift(
    conn: sqlite3.Connection, shift_id: str, *, at: str, counted_cash_cents: int, z_report: str
) -> None:
    conn.execute(
        "UPDATE shifts SET status = 'closed', closed_at = ?, counted_cash_cents = ?, z_report = ?"
        " WHERE id = ? AND status = 'open'",
        (at, counted_cash_cents, z_report, shift_id),
    )


def open_sales_count(conn: sqlite3.Connection, shift_id: str) -> int:
    row = conn.execute("SELECT COUNT(*) FROM sales WHERE shift_id = ? AND status = 'open'", (shift_id,))
    return int(row.fetchone()[0])


def insert_drawer_opening(
    conn: sqlite3.Connection, *, terminal_id: str, shift_id: str, user_id: int, reason: str, at: str
) -> int:
    cur = conn.execute(
        "INSERT INTO drawer_openings (terminal_id, shift_id, user_id, reason, opened_at) VALUES (?, ?, ?, ?, ?)",
        (terminal_id, shift_id, user_id, reason, at),
    )
    return int(cur.lastrowid or 0)


class _VatOfReceipt(msgspec.Struct):
    vat_breakdown: list[VatBreakdown] = []


def _vat_of(receipt: str | None) -> list[VatBreakdown]:
    return msgspec.json.decode(receipt, type=_VatOfReceipt).vat_breakdown if receipt else []


# A discount is a non-zero amount or percentage (columns are NULL when there is none).
_DISCOUNTED = (
    "(COALESCE({p}discount_amount_cents, 0) <> 0 OR COALESCE(CAST({p}discount_percent AS REAL), 0) <> 0)"
)


def shift_activity(conn: sqlite3.Connection, shift_id: str) -> ShiftActivity:
    """Everything of one shift that its report counts."""
    sales = conn.execute(
        "SELECT s.receipt, COALESCE(s.total_cents, 0) AS total, COALESCE(s.discount_cents, 0) AS discount,"
        " COALESCE(s.rounding_cents, 0) AS rounding, COALESCE(s.change_cents, 0) AS change,"
        f" {_DISCOUNTED.format(p='s.')} AS sale_discount,"
        " (SELECT COUNT(*) FROM sale_lines l WHERE l.sale_id = s.id AND l.voided = 0"
        f"  AND {_DISCOUNTED.format(p='l.')}) AS discounted_lines"
        " FROM sales s WHERE s.shift_id = ? AND s.status = 'completed' ORDER BY s.completed_at",
        (shift_id,),
    ).fetchall()
    payments = conn.execute(
        "SELECT p.method, p.amount_cents, p.currency FROM payments p JOIN sales s ON s.id = p.sale_id"
        " WHERE s.shift_id = ? AND s.status = 'completed' ORDER BY p.id",
        (shift_id,),
    ).fetchall()
    voided = conn.execute(
        "SELECT l.unit_price_cents, l.quantity_milli, l.amount_cents FROM sale_lines l"
        " JOIN sales s ON s.id = l.sale_id WHERE s.shift_id = ? AND l.voided = 1 ORDER BY l.id",
        (shift_id,),
    ).fetchall()
    returns = conn.execute(
        "SELECT refund_method, refund_cents, receipt FROM returns WHERE shift_id = ? ORDER BY created_at",
        (shift_id,),
    ).fetchall()
    account_cash = conn.execute(
        "SELECT -amount_cents FROM account_entries WHERE shift_id = ? AND kind = 'payment'"
        " AND method = 'cash' ORDER BY id",
        (shift_id,),
    ).fetchall()
    cancelled = conn.execute(
        "SELECT COUNT(*) FROM sales WHERE shift_id = ? AND status = 'cancelled'", (shift_id,)
    ).fetchone()[0]
    no_sales = conn.execute(
        "SELECT COUNT(*) FROM drawer_openings WHERE shift_id = ?", (shift_id,)
    ).fetchone()[0]
    return ShiftActivity(
        sales=[
            SaleFacts(
                total_cents=r["total"],
                discount_cents=r["discount"],
                rounding_cents=r["rounding"],
                change_cents=r["change"],
                vat_breakdown=_vat_of(r["receipt"]),
                discounted_lines=r["discounted_lines"],
                sale_discount=bool(r["sale_discount"]),
            )
            for r in sales
        ],
        payments=[PaymentFacts(r[0], r[1], r[2]) for r in payments],
        voided_lines=[VoidedLineFacts(r[0], r[1], r[2]) for r in voided],
        returns=[ReturnFacts(r[0], r[1], _vat_of(r[2])) for r in returns],
        cash_account_payments=[r[0] for r in account_cash],
        cancelled_count=int(cancelled),
        no_sales_count=int(no_sales),
    )
