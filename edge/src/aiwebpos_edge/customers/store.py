"""All the SQL of customers and their account entries."""

import sqlite3
from dataclasses import dataclass

from aiwebpos_edge.db.rows import update_row


@dataclass(frozen=True)
class CustomerRow:
    id: str
    name: str
    vat_number: str
    address: str
    credit_limit_cents: int
    active: bool
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class EntryRow:
    id: int
    kind: str
    amount_cents: int
    sale_id: str | None
    reference: str | None
    method: str | None
    shift_id: str | None
    username: str | None
    created_at: str


def _customer(row: sqlite3.Row) -> CustomerRow:
    return CustomerRow(
        id=row["id"],
        name=row["name"],
        vat_number=row["vat_number"],
        address=row["address"],
        credit_limit_cents=row["credit_limit_cents"],
        active=bool(row["active"]),
        phone=row["phone"],
        email=row["email"],
    )


def customer_by_id(conn: sqlite3.Connection, customer_id: str) -> CustomerRow | None:
    row = conn.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
    return _customer(row) if row else None


def search_customers(conn: sqlite3.Connection, text: str | None, limit: int = 50) -> list[CustomerRow]:
    """Customers whose name or phone contains `text` (any case), by name; all of them without text."""
    pattern = None
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = conn.execute(
        "SELECT * FROM customers WHERE :p IS NULL OR name LIKE :p ESCAPE '\\' OR phone LIKE :p ESCAPE '\\'"
        " ORDER BY name, id LIMIT :limit",
        {"p": pattern, "limit": limit},
    )
    return [_customer(row) for row in rows]


def insert_customer(conn: sqlite3.Connection, row: CustomerRow, at: str) -> None:
    conn.execute(
        "INSERT INTO customers (id, name, phone, email, vat_number, address, credit_limit_cents, active,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.id,
            row.name,
            row.phone,
            row.email,
            row.vat_number,
            row.address,
            row.credit_limit_cents,
            int(row.active),
            at,
            at,
        ),
    )


_CHANGEABLE = frozenset({"name", "phone", "email", "vat_number", "address", "credit_limit_cents", "active"})


def update_customer(conn: sqlite3.Connection, customer_id: str, at: str, **fields: object) -> None:
    unknown = set(fields) - _CHANGEABLE
    if unknown:
        raise ValueError(f"not a customer column: {sorted(unknown)}")
    update_row(conn, "customers", ("id", customer_id), {**fields, "updated_at": at})


def balance(conn: sqlite3.Connection, customer_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM account_entries WHERE customer_id = ?", (customer_id,)
    ).fetchone()
    return int(row[0])


def insert_entry(
    conn: sqlite3.Connection,
    *,
    customer_id: str,
    kind: str,
    amount_cents: int,
    sale_id: str | None,
    reference: str | None,
    method: str | None,
    shift_id: str | None,
    user_id: int | None,
    at: str,
) -> int:
    cur = conn.execute(
        "INSERT INTO account_entries (customer_id, kind, amount_cents, sale_id, reference, method, shift_id,"
        " user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (customer_id, kind, amount_cents, sale_id, reference, method, shift_id, user_id, at),
    )
    return int(cur.lastrowid or 0)


def entries(conn: sqlite3.Connection, customer_id: str) -> list[EntryRow]:
    rows = conn.execute(
        "SELECT e.*, u.username FROM account_entries e LEFT JOIN users u ON u.id = e.user_id"
        " WHERE e.customer_id = ? ORDER BY e.id",
        (customer_id,),
    )
    return [
        EntryRow(
            r["id"],
            r["kind"],
            r["amount_cents"],
            r["sale_id"],
            r["reference"],
            r["method"],
            r["shift_id"],
            r["username"],
            r["created_at"],
        )
        for r in rows
    ]
