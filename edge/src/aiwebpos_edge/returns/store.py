"""All the SQL of returns."""

import sqlite3


def completed_sale_by_receipt(conn: sqlite3.Connection, receipt_no: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM sales WHERE receipt_no = ? AND status = 'completed'", (receipt_no,)
    ).fetchone()
    return row


def is_credit_note(conn: sqlite3.Connection, receipt_no: str) -> bool:
    return conn.execute("SELECT 1 FROM returns WHERE receipt_no = ?", (receipt_no,)).fetchone() is not None


def sale_lines(conn: sqlite3.Connection, sale_id: str) -> dict[int, sqlite3.Row]:
    rows = conn.execute("SELECT * FROM sale_lines WHERE sale_id = ? AND voided = 0", (sale_id,))
    return {row["id"]: row for row in rows}


def returned_so_far(conn: sqlite3.Connection, sale_id: str) -> dict[int, int]:
    rows = conn.execute(
        "SELECT rl.sale_line_id, SUM(rl.quantity_milli) FROM return_lines rl JOIN returns r ON r.id = rl.return_id"
        " WHERE r.sale_id = ? GROUP BY rl.sale_line_id",
        (sale_id,),
    )
    return {row[0]: row[1] for row in rows}


def insert_return(conn: sqlite3.Connection, **values: object) -> None:
    names = ", ".join(values)
    conn.execute(
        f"INSERT INTO returns ({names}) VALUES ({', '.join('?' * len(values))})", tuple(values.values())
    )


def insert_return_line(
    conn: sqlite3.Connection, return_id: str, sale_line_id: int, quantity_milli: int, refund_cents: int
) -> None:
    conn.execute(
        "INSERT INTO return_lines (return_id, sale_line_id, quantity_milli, refund_cents) VALUES (?, ?, ?, ?)",
        (return_id, sale_line_id, quantity_milli, refund_cents),
    )
