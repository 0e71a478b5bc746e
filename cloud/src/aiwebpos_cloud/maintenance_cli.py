"""The `aiwebpos-cloud lakehouse …` commands' work, with rich progress (the commands only parse flags)."""

from pathlib import Path

from deltalake import DeltaTable
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from aiwebpos_cloud.lakehouse.derive import DERIVATIONS
from aiwebpos_cloud.lakehouse.maintenance import compact
from aiwebpos_cloud.lakehouse.query import VIEW_DESCRIPTIONS
from aiwebpos_cloud.lakehouse.rebuild import rebuild
from aiwebpos_cloud.lakehouse.tables import ALL_TABLES

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
        for derivation in DERIVATIONS:
            task = progress.add_task(derivation.spec.name, total=None, note="")

            def advance(table: str, events_read: int, task: TaskID = task) -> None:
                progress.update(task, note=f"{events_read:,} events read")

            report = rebuild(derivation, lakehouse, advance)
            progress.update(task, total=1, completed=1, note=f"{report.rows:,} rows")
            summary.add_row(report.table, f"{report.rows:,}", str(report.version))
    Console().print(summary)


def show_tables(lakehouse: Path) -> None:
    table = Table("name", "kind", "what it holds", "files", "version")
    for spec in ALL_TABLES:
        path = spec.path(lakehouse)
        if DeltaTable.is_deltatable(str(path)):
            delta = DeltaTable(str(path))
            files, version = str(len(delta.file_uris())), str(delta.version())
        else:
            files, version = "0", "not created yet"
        table.add_row(spec.name, "table", spec.description, files, version)
    for name, description in VIEW_DESCRIPTIONS.items():
        table.add_row(name, "view", description, "", "")
    Console().print(table)
