"""All the SQL of the print queue."""

import sqlite3

import msgspec

from aiwebpos_edge.db.rows import insert_row
from aiwebpos_edge.devices.printing.document import Document

_decode_document = msgspec.json.Decoder(Document).decode


class PrintJob(msgspec.Struct, kw_only=True):
    id: int
    printer: str
    terminal_id: str | None
    kind: str
    reference: str | None
    status: str
    attempts: int
    last_error: str | None
    created_at: str
    printed_at: str | None
    requested_by: str | None


_COLUMNS = "id, printer, terminal_id, kind, reference, status, attempts, last_error, created_at, printed_at, requested_by"


def _job(row: sqlite3.Row) -> PrintJob:
    return PrintJob(**dict(zip(row.keys(), tuple(row), strict=True)))


def enqueue(
    conn: sqlite3.Connection,
    *,
    printer: str,
    terminal_id: str | None,
    kind: str,
    reference: str | None,
    document: Document,
    at: str,
    requested_by: str | None,
) -> int:
    return insert_row(
        conn,
        "print_jobs",
        {
            "printer": printer,
            "terminal_id": terminal_id,
            "kind": kind,
            "reference": reference,
            "document": msgspec.json.encode(document),
            "created_at": at,
            "requested_by": requested_by,
        },
    )


def next_job(conn: sqlite3.Connection, printer: str) -> tuple[PrintJob, Document] | None:
    """The oldest job waiting for `printer`: jobs print in the order they were queued."""
    row = conn.execute(
        f"SELECT {_COLUMNS}, document FROM print_jobs WHERE printer = ? AND status = 'queued' ORDER BY id LIMIT 1",
        (printer,),
    ).fetchone()
    if row is None:
        return None
    fields = dict(zip(row.keys(), tuple(row), strict=True))
    document = _decode_document(fields.pop("document"))
    return PrintJob(**fields), document


def mark_printed(conn: sqlite3.Connection, job_id: int, at: str) -> None:
    conn.execute(
        "UPDATE print_jobs SET status = 'printed', printed_at = ?, attempts = attempts + 1, last_error = NULL"
        " WHERE id = ?",
        (at, job_id),
    )


def record_failure(conn: sqlite3.Connection, job_id: int, error: str) -> None:
    conn.execute(
        "UPDATE print_jobs SET attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'queued'",
        (error, job_id),
    )


def waiting_count(conn: sqlite3.Connection, printer: str) -> int:
    row = conn.execute(
        "SELECT count(*) FROM print_jobs WHERE printer = ? AND status = 'queued'", (printer,)
    ).fetchone()
    return int(row[0])


def list_jobs(
    conn: sqlite3.Connection, *, terminal_id: str | None, status: str | None, limit: int
) -> list[PrintJob]:
    clauses, params = [], []
    if terminal_id:
        clauses.append("terminal_id = ?")
        params.append(terminal_id)
    if status:
        clauses.append("status = ?")
        params.append(status)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(
        f"SELECT {_COLUMNS} FROM print_jobs {where} ORDER BY id DESC LIMIT ?", (*params, limit)
    ).fetchall()
    return [_job(r) for r in rows]


def get_job(conn: sqlite3.Connection, job_id: int) -> PrintJob | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM print_jobs WHERE id = ?", (job_id,)).fetchone()
    return _job(row) if row else None


def cancel(conn: sqlite3.Connection, job_id: int) -> int:
    return conn.execute(
        "UPDATE print_jobs SET status = 'cancelled' WHERE id = ? AND status = 'queued'", (job_id,)
    ).rowcount


def document_of(conn: sqlite3.Connection, job_id: int) -> Document | None:
    row = conn.execute("SELECT document FROM print_jobs WHERE id = ?", (job_id,)).fetchone()
    return _decode_document(row[0]) if row else None
