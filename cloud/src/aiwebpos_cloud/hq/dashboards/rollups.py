"""`refresh_rollups`: the maintenance step that keeps the dashboards' rollup tables (tables.py) up to date.

Run it after the ingest's compaction (nightly, or every few minutes: a run with nothing new is cheap).
It recomputes whole months from the derived tables, only those that need it: the months of days that
completed since the last run, and the months of any day a derived table received files for since then
(a store that was offline for a week syncs late; compaction rewrites files too, which only costs a
recomputation; see changes.py). A month is replaced in one commit per rollup (`predicate` overwrite),
and the state is written last, so a reader never sees a day counted twice or missing (views.connect).

A product moved to another category changes the rollups' categories for every month, so a change of the
catalog's SKU → category map rebuilds them all.
"""

import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from deltalake import DeltaTable, write_deltalake

from aiwebpos_cloud.hq.dashboards import queries
from aiwebpos_cloud.hq.dashboards.changes import SourceFiles, changed_dates, source_files
from aiwebpos_cloud.hq.dashboards.filters import DAY, local_today
from aiwebpos_cloud.hq.dashboards.tables import ROLLUP_STATE, ROLLUPS, short_name
from aiwebpos_cloud.hq.dashboards.views import SOURCES, scope
from aiwebpos_cloud.lakehouse.delta import open_table
from aiwebpos_cloud.lakehouse.duck import locked_connection
from aiwebpos_cloud.lakehouse.tables import PRODUCTS, TableSpec

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # (months done, months to do)


@dataclass(frozen=True)
class RollupState:
    through: date
    versions: dict[str, int]  # of each derived table the rollups were computed from
    catalog: str


@dataclass
class RefreshReport:
    through: date
    months: list[date] = field(default_factory=list)
    rows: int = 0
    full: bool = False
    seconds: float = 0.0


def refresh_rollups(
    lakehouse: Path, through: date | None = None, *, full: bool = False, progress: Progress | None = None
) -> RefreshReport:
    """Bring the rollups up to `through` (default: yesterday in Lesotho, the last complete day).

    `full` recomputes every month (after restoring a backup, say); otherwise only the months that need it."""
    started = datetime.now(UTC)
    through = through or local_today() - DAY
    sources = {spec.name: source_files(spec, lakehouse) for spec in SOURCES}  # before reading any row
    previous = None if drop_other_layouts(lakehouse) else read_state(lakehouse)
    connection = locked_connection(lakehouse, (PRODUCTS,))
    try:
        catalog = str(connection.execute(queries.CATALOG_FINGERPRINT).fetchall()[0][0])
        rebuild_all = full or previous is None or previous.catalog != catalog
        if previous is None or rebuild_all:
            days = {day for files in sources.values() for day in files.dates()}
        else:
            days = days_to_redo(lakehouse, sources, previous, through)
        months = sorted({day.replace(day=1) for day in _with_next_days(days) if day <= through})
        report = RefreshReport(through, months, full=rebuild_all)
        for done, month in enumerate(months):
            report.rows += build_month(connection, lakehouse, sources, month, through)
            if progress is not None:
                progress(done + 1, len(months))
    finally:
        connection.close()
    versions = {name: files.version for name, files in sources.items() if files.version is not None}
    write_state(lakehouse, RollupState(through, versions, catalog), started)
    for spec in (*ROLLUPS, ROLLUP_STATE):
        tidy(spec, lakehouse)
    report.seconds = (datetime.now(UTC) - started).total_seconds()
    log.info(
        "rollups through %s: %d months, %d rows, %.1f s", through, len(months), report.rows, report.seconds
    )
    return report


def days_to_redo(
    lakehouse: Path, sources: dict[str, SourceFiles], previous: RollupState, through: date
) -> set[date]:
    """The UTC dates whose files changed since the last refresh, and the days completed since."""
    days = {
        day
        for spec in SOURCES
        for day in changed_dates(spec, lakehouse, sources[spec.name], previous.versions.get(spec.name))
    }
    day = previous.through + DAY
    while day <= through:
        days.add(day)
        day += DAY
    return days


def _with_next_days(dates: set[date]) -> set[date]:
    """A UTC date's files hold the first two hours of the next local day too."""
    return dates | {day + DAY for day in dates}


def drop_other_layouts(lakehouse: Path) -> bool:
    """Delete the rollup tables (and state) written with other columns by another version of this
    package, so that they are rebuilt whole; True when there were any. They are a cache: a dashboard
    reading one at this moment fails once, and the next connection computes live until rebuilt."""
    dropped = False
    for spec in (*ROLLUPS, ROLLUP_STATE):
        path = spec.path(lakehouse)
        if DeltaTable.is_deltatable(str(path)):
            columns = [column.name for column in DeltaTable(str(path)).schema().fields]
            if columns != spec.schema.names:
                log.warning("%s has the columns of another version: rebuilding it", spec.name)
                shutil.rmtree(path)
                dropped = True
    return dropped


def read_state(lakehouse: Path) -> RollupState | None:
    path = str(ROLLUP_STATE.path(lakehouse))
    if not DeltaTable.is_deltatable(path):
        return None
    rows = DeltaTable(path).to_pyarrow_table().to_pylist()
    if not rows:
        return None
    return RollupState(rows[0]["through"], json.loads(rows[0]["versions"]), str(rows[0]["catalog"]))


def build_month(
    connection: duckdb.DuckDBPyConnection,
    lakehouse: Path,
    sources: dict[str, SourceFiles],
    month: date,
    through: date,
) -> int:
    """Recompute every rollup for the days of `month` up to `through`, and replace that month."""
    last = min(_month_end(month), through)
    for spec in SOURCES:
        scope(connection, spec, sources[spec.name].uris, since=month - DAY, until=last)
    params = {"day_from": month, "day_to": last, "stores": None}
    rows = 0
    for spec in ROLLUPS:
        computed = connection.sql(queries.DAILY[short_name(spec)], params=params).to_arrow_table()
        table = computed.add_column(0, "month", pa.array([month] * computed.num_rows, pa.date32()))
        table = (
            table.select(spec.schema.names)
            .cast(spec.schema)
            .sort_by([("store_id", "ascending"), ("day", "ascending")])
        )
        open_table(spec, lakehouse)
        write_deltalake(
            str(spec.path(lakehouse)),
            table,
            mode="overwrite",
            partition_by=list(spec.partition_by),
            predicate=f"month = '{month.isoformat()}'",
        )
        rows += table.num_rows
    return rows


def _month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - DAY


def write_state(lakehouse: Path, state: RollupState, built_at: datetime) -> None:
    row = {
        "through": [state.through],
        "built_at": [built_at],
        "versions": [json.dumps(state.versions, sort_keys=True)],
        "catalog": [state.catalog],
    }
    write_deltalake(
        str(ROLLUP_STATE.path(lakehouse)), pa.table(row).cast(ROLLUP_STATE.schema), mode="overwrite"
    )


def tidy(spec: TableSpec, lakehouse: Path) -> None:
    """Each refresh replaces months: checkpoint the log and vacuum the replaced files past the default
    retention (7 days, so that a dashboard still reading an older version keeps its files)."""
    path = str(spec.path(lakehouse))
    if DeltaTable.is_deltatable(path):
        table = DeltaTable(path)
        table.create_checkpoint()
        table.vacuum(dry_run=False)
