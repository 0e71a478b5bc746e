"""The `aiwebpos-cloud lakehouse …` commands' work, with rich progress (the commands only parse flags)."""

import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import msgspec
from deltalake import DeltaTable
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from aiwebpos_cloud.lakehouse.derive import DERIVATIONS
from aiwebpos_cloud.lakehouse.deriver import DerivePass, Deriver, derive_lag
from aiwebpos_cloud.lakehouse.maintenance import compact
from aiwebpos_cloud.lakehouse.outputs import OUTPUTS
from aiwebpos_cloud.lakehouse.query import VIEW_DESCRIPTIONS
from aiwebpos_cloud.lakehouse.rebuild import RebuildReport, rebuild_all
from aiwebpos_cloud.lakehouse.tables import ALL_TABLES, DERIVED, TableSpec

console = Console(stderr=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=console,
    )


def run_compaction(lakehouse: Path, retention_hours: int) -> None:
    summary = Table(
        "table", "partitions compacted", "files removed", "files added", "files vacuumed", "version"
    )
    with _progress() as progress:
        for spec in ALL_TABLES:
            task = progress.add_task(spec.name, total=None, note="")

            def advance(done: int, total: int, task: TaskID = task) -> None:
                progress.update(task, completed=done, total=total, note="compacting")

            report = compact(spec, lakehouse, retention_hours=retention_hours, progress=advance)
            progress.update(
                task,
                total=max(report.partitions_compacted, 1),
                completed=max(report.partitions_compacted, 1),
                note="checkpointed, vacuumed",
            )
            summary.add_row(
                spec.name,
                *(
                    str(n)
                    for n in (
                        report.partitions_compacted,
                        report.files_removed,
                        report.files_added,
                        report.files_vacuumed,
                        report.version,
                    )
                ),
            )
    Console().print(summary)


def run_rebuild(lakehouse: Path) -> None:
    summary = Table("table", "rows", "version")
    with _progress() as progress:
        tasks = {d.spec.name: progress.add_task(d.spec.name, total=None, note="") for d in DERIVATIONS}

        def advance(table: str, events_read: int) -> None:
            progress.update(tasks[table], note=f"{events_read:,} events read")

        def done(report: RebuildReport) -> None:
            progress.update(tasks[report.table], total=1, completed=1, note=f"{report.rows:,} rows")
            summary.add_row(report.table, f"{report.rows:,}", str(report.version))

        def waiting() -> None:
            console.print("a deriver is in the middle of a pass; waiting for it to end")

        rebuild_all(lakehouse, advance, done, waiting)
    Console().print(summary)
    console.print(f"derived tables: {derive_lag(lakehouse).describe()}")


def run_derive(lakehouse: Path, follow: bool, every: float) -> None:
    deriver = Deriver(lakehouse)
    if follow:
        stopping = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            if stopping.is_set():
                raise SystemExit(128 + signum)
            stopping.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        deriver.follow(stopping, every)
        return
    lag = derive_lag(lakehouse)
    with _progress() as progress:
        task = progress.add_task("events versions", total=max(lag.versions, 1), note=lag.describe())

        def advance(one: DerivePass) -> None:
            note = f"{one.events:,} events → " + ", ".join(f"{n} {c:,}" for n, c in one.rows.items() if c)
            progress.update(task, completed=one.last_version - lag.derived_version, note=note)

        def waiting() -> None:
            console.print("another process is deriving; waiting for its pass to end")

        passes = deriver.derive_pending(wait=True, on_wait=waiting, on_pass=advance) or []
        progress.update(task, completed=max(lag.versions, 1))
    events = sum(one.events for one in passes)
    console.print(f"derived {events:,} events in {len(passes)} passes; {derive_lag(lakehouse).describe()}")


def show_tables(lakehouse: Path, as_json: bool = False) -> None:
    lag = derive_lag(lakehouse)
    rows = [_table_row(spec, lakehouse) for spec in (*ALL_TABLES, *OUTPUTS)]
    if as_json:
        answer = {
            "tables": rows,
            "views": [{"name": n, "kind": "view", "description": d} for n, d in VIEW_DESCRIPTIONS.items()],
            "deriver": {
                "derived_version": lag.derived_version,
                "events_version": lag.events_version,
                "versions_behind": lag.versions,
                "seconds_behind": round(lag.seconds, 3),
                "caught_up": lag.caught_up,
                "derived_at": lag.derived_at,
            },
        }
        sys.stdout.write(msgspec.json.encode(answer).decode() + "\n")
        return
    table = Table("name", "kind", "what it holds", "files", "version")
    for row in rows:
        version = "not created yet" if row["version"] is None else str(row["version"])
        table.add_row(str(row["name"]), "table", str(row["description"]), str(row["files"]), version)
    for name, description in VIEW_DESCRIPTIONS.items():
        table.add_row(name, "view", description, "", "")
    Console().print(table)
    Console().print(f"derived tables ({DERIVED[0].name} … {DERIVED[-1].name}): {lag.describe()}")


def _table_row(spec: TableSpec, lakehouse: Path) -> dict[str, object]:
    path = spec.path(lakehouse)
    files, version = 0, None
    if DeltaTable.is_deltatable(str(path)):
        delta = DeltaTable(str(path))
        files, version = len(delta.file_uris()), delta.version()
    return {
        "name": spec.name,
        "kind": "table",
        "description": spec.description,
        "files": files,
        "version": version,
        "derived": spec in DERIVED,
    }
