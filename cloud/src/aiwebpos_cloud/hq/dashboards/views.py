"""The connection the dashboards read: the lakehouse as `query.connect` exposes it, plus the rollups and
the `scoped_*` views the daily SELECTs read (queries.py).

`scoped_<table>` is a derived table restricted to some of its UTC-date partitions *by its file list*,
not by a WHERE: DuckDB considers every file of a view's list before pruning (~0.3 s for the ~13,000
files of a year of 36 stores, measured), so the live tail of a dashboard must read a view that only
lists the last few days' files.
"""

import logging
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from aiwebpos_cloud.hq.dashboards import queries
from aiwebpos_cloud.hq.dashboards.tables import ROLLUP_STATE, ROLLUPS
from aiwebpos_cloud.lakehouse import query
from aiwebpos_cloud.lakehouse.duck import expose
from aiwebpos_cloud.lakehouse.tables import (
    CANCELLED_SALES,
    DRAWER_OPENINGS,
    PAYMENTS,
    RECEIPT_VAT,
    RETURN_LINES,
    RETURNS,
    SALE_LINES,
    SALES,
    TableSpec,
)

log = logging.getLogger(__name__)

SOURCES: tuple[TableSpec, ...] = (
    SALE_LINES,
    RETURN_LINES,
    SALES,
    PAYMENTS,
    RECEIPT_VAT,
    RETURNS,
    DRAWER_OPENINGS,
    CANCELLED_SALES,
)
_PARTITION_DATE = re.compile(r"/date=(\d{4}-\d{2}-\d{2})/")


def connect(lakehouse: Path) -> duckdb.DuckDBPyConnection:
    """`query.connect(lakehouse)` (locked down, read-only) with the rollups and the live tail's views.

    The rollup state is exposed before the rollups: a refresh writes the rollups first and the state
    last, so the rollups seen here are at least as new as the `through` day the state says they hold.

    It sees the lakehouse as it was when it connected (~3 s for a year of 36 stores, nearly all of it
    `query.connect` listing ~100,000 files): keep it open and reconnect now and then to see new data.
    Use it from one thread at a time, and not through `cursor()`: the views read file lists kept in
    connection variables (duck.expose does the same), which a cursor does not inherit."""
    connection = query.connect(lakehouse)
    try:
        for spec in (ROLLUP_STATE, *ROLLUPS):
            expose(connection, spec, lakehouse)
    except duckdb.Error as exc:  # written by another version of this package: right without them
        log.warning(
            "the dashboards' rollups in %s are unreadable (%s): run refresh_rollups(full=True)",
            lakehouse,
            exc,
        )
        without_rollups(connection)
    through = rolled_through(connection)
    for spec in SOURCES:
        scope(connection, spec, exposed_files(connection, spec), since=through)
    return connection


def ensure_views(connection: duckdb.DuckDBPyConnection) -> None:
    """Make a bare `query.connect` connection usable by the dashboards: no rollups (empty), every day
    computed live from the derived tables — right, only slower than `connect`."""
    try:
        connection.execute(f"SELECT * FROM scoped_{SOURCES[-1].name} LIMIT 0").fetchall()
        return
    except duckdb.CatalogException:
        pass
    without_rollups(connection)
    for spec in SOURCES:
        connection.execute(f"CREATE OR REPLACE VIEW scoped_{spec.name} AS SELECT * FROM {spec.name}")


def without_rollups(connection: duckdb.DuckDBPyConnection) -> None:
    """Empty rollups and state: every day of a dashboard is computed from the derived tables."""
    for spec in (ROLLUP_STATE, *ROLLUPS):
        connection.execute(f"DROP VIEW IF EXISTS {spec.name}")
        connection.register(spec.name, pa.Table.from_batches([], schema=spec.schema))


def rolled_through(connection: duckdb.DuckDBPyConnection) -> date | None:
    through = connection.execute(queries.ROLLED_THROUGH).fetchall()[0][0]
    return through if isinstance(through, date) else None


def exposed_files(connection: duckdb.DuckDBPyConnection, spec: TableSpec) -> list[str] | None:
    """The files `query.connect` found for the table (duck.expose keeps them in `<table>_files`), or
    None when it found none and exposed an empty table."""
    files = connection.execute("SELECT getvariable(?)", [f"{spec.name}_files"]).fetchall()[0][0]
    return [str(file) for file in files] if isinstance(files, list) else None


def partition_date(uri: str) -> date | None:
    found = _PARTITION_DATE.search(uri)
    return date.fromisoformat(found.group(1)) if found else None


def scope(
    connection: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    files: Sequence[str] | None,
    since: date | None = None,
    until: date | None = None,
) -> None:
    """(Re)create `scoped_<table>` over those of `files` whose UTC date is within since…until (None: no
    bound); `files` None means the table has no file at all."""
    name = f"scoped_{spec.name}"
    kept = [
        uri
        for uri in files or ()
        if (found := partition_date(uri)) is None
        or ((since is None or found >= since) and (until is None or found <= until))
    ]
    if not kept:
        connection.register(f"empty_{spec.name}", pa.Table.from_batches([], schema=spec.schema))
        connection.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * FROM empty_{spec.name}")
        return
    connection.execute(f"SET VARIABLE {name}_files = ?", [kept])
    connection.execute(
        f"CREATE OR REPLACE VIEW {name} AS SELECT {', '.join(spec.schema.names)} "
        f"FROM read_parquet(getvariable('{name}_files'), hive_partitioning = true, "
        "hive_types = {'store_id': VARCHAR, 'date': DATE})"
    )
