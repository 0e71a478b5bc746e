"""Read-only SQL over the lakehouse with DuckDB: the tables (see `duck.py`), the views, the guard.

Only one SELECT (or EXPLAIN) statement is accepted; DuckDB itself is locked down (`duck.py`): no
extension is installed or loaded, files outside the lakehouse cannot be read, settings cannot change.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from aiwebpos_cloud.lakehouse.duck import locked_connection
from aiwebpos_cloud.lakehouse.outputs import OUTPUTS
from aiwebpos_cloud.lakehouse.tables import ALL_TABLES, EVENTS

_READ_ONLY_STATEMENTS = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN}

SEQ_GAPS = """
    SELECT store_id, seq + 1 AS first_missing, next_seq - 1 AS last_missing, next_seq - seq - 1 AS missing
    FROM (
        SELECT store_id, seq, lead(seq) OVER (PARTITION BY store_id ORDER BY seq) AS next_seq
        FROM events {where}
    )
    WHERE next_seq > seq + 1
"""

# Views over the tables (CONTRACTS.md §1 names `events`; the rest are this package's).
VIEWS = {
    "seq_gaps": SEQ_GAPS.format(where=""),
    "shifts": """
        SELECT store_id, shift_id, shift_terminal_id AS terminal_id, cashier,
               CASE event WHEN 'closed' THEN 'closed' ELSE 'open' END AS status,
               opened_at, closed_at, opening_float_cents, cash_sales_cents, cash_refunds_cents,
               expected_cash_cents, counted_cash_cents, variance_cents, sales_count, sales_total_cents,
               voids_count, voids_cents, discounts_count, discounts_cents, returns_count, returns_cents,
               cancelled_count, no_sales_count, rounding_cents, fraud_score
        FROM (
            SELECT *, row_number() OVER (
                PARTITION BY store_id, shift_id ORDER BY event = 'closed' DESC, occurred_at DESC
            ) AS rank
            FROM shift_events
        )
        WHERE rank = 1
    """,
}
VIEW_DESCRIPTIONS = {
    "seq_gaps": "per store, each range of seq missing between the lowest and the highest seq received",
    "shifts": "one row per shift: the Z report once closed, the opening otherwise",
}


class QueryRefused(ValueError):
    """A statement that `sql` will not run (it would write, or it is not valid SQL)."""


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    types: list[str]
    rows: list[tuple[Any, ...]]


def connect(lakehouse: Path) -> duckdb.DuckDBPyConnection:
    """A locked-down in-memory DuckDB that sees every table of the lakehouse (the models' outputs too)
    and the views."""
    connection = locked_connection(lakehouse, (*ALL_TABLES, *OUTPUTS))
    for name, sql in VIEWS.items():
        connection.execute(f"CREATE VIEW {name} AS {sql}")
    return connection


def check_read_only(connection: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        statements = connection.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryRefused(str(exc)) from exc
    if len(statements) != 1:
        raise QueryRefused(f"give exactly one SELECT statement (got {len(statements)})")
    kind = statements[0].type
    if kind not in _READ_ONLY_STATEMENTS:
        raise QueryRefused(f"the lakehouse is read-only here: {kind.name} statements are refused; use SELECT")


def run_query(lakehouse: Path, sql: str) -> QueryResult:
    """Run one read-only statement; raises `QueryRefused` for anything else, duckdb.Error if it fails."""
    connection = connect(lakehouse)
    try:
        check_read_only(connection, sql)
        cursor = connection.execute(sql)
        description = cursor.description or []
        return QueryResult(
            columns=[column[0] for column in description],
            types=[str(column[1]) for column in description],
            rows=cursor.fetchall(),
        )
    finally:
        connection.close()


@dataclass(frozen=True, order=True)
class SeqGap:
    store_id: str
    first_missing: int
    last_missing: int

    @property
    def missing(self) -> int:
        return self.last_missing - self.first_missing + 1


def seq_gaps(lakehouse: Path, stores: Sequence[str] | None = None, since: date | None = None) -> list[SeqGap]:
    """The `seq_gaps` view, of only `stores` and events dated `since` or later when given.

    Reads nothing but `events`, and of it only the partitions of those stores and dates."""
    if stores is not None and not stores:
        return []
    conditions = []
    if stores is not None:
        conditions.append("store_id IN (" + ", ".join(_quoted(store) for store in stores) + ")")
    if since is not None:
        conditions.append(f"date >= DATE '{since.isoformat()}'")
    where = "WHERE " + " AND ".join(conditions) if conditions else ""
    connection = locked_connection(lakehouse, (EVENTS,))
    try:
        sql = f"SELECT store_id, first_missing, last_missing FROM ({SEQ_GAPS.format(where=where)})"
        return sorted(SeqGap(*row) for row in connection.execute(sql).fetchall())
    finally:
        connection.close()


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
