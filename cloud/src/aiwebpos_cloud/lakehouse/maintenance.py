"""Keeping the lakehouse fast: compact small files, checkpoint the log, vacuum files no one reads.

Every ingest batch adds one small file per partition it touches, and every commit one log entry; reads
and MERGEs slow down as both pile up. `compact` rewrites each partition's small files into few large
ones (a commit per partition, so a running ingest only ever conflicts on one partition and retries),
writes a checkpoint so readers need not replay the log, and vacuums files that the table stopped
referencing more than `retention_hours` ago — never less than a day, so a reader or a writer that
still works on an older version of the table keeps its files.
"""

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
from deltalake import DeltaTable
from deltalake.exceptions import CommitFailedError

from aiwebpos_cloud.lakehouse.delta import MAX_ATTEMPTS, LakehouseWriteError, backoff
from aiwebpos_cloud.lakehouse.tables import TableSpec

log = logging.getLogger(__name__)

MIN_RETENTION_HOURS = 24
DEFAULT_RETENTION_HOURS = 7 * 24

Partition = tuple[tuple[str, str], ...]
Progress = Callable[[int, int], None]  # (done, total) partitions of the table being compacted


@dataclass
class CompactReport:
    table: str
    partitions_compacted: int = 0
    files_removed: int = 0
    files_added: int = 0
    files_vacuumed: int = 0
    version: int = 0


def small_file_partitions(table: DeltaTable, spec: TableSpec) -> list[Partition]:
    """Partitions holding more than one file (the only ones compaction can improve)."""
    actions = pa.table(table.get_add_actions(flatten=True))
    if not spec.partition_by:
        return [()] if actions.num_rows > 1 else []
    columns = [actions.column(f"partition.{name}").to_pylist() for name in spec.partition_by]
    counts = Counter(zip(*columns, strict=True))
    return [
        tuple((name, _text(value)) for name, value in zip(spec.partition_by, values, strict=True))
        for values, count in sorted(counts.items())
        if count > 1
    ]


def compact(
    spec: TableSpec,
    lakehouse: Path,
    *,
    retention_hours: int = DEFAULT_RETENTION_HOURS,
    progress: Progress | None = None,
) -> CompactReport:
    if retention_hours < MIN_RETENTION_HOURS:
        raise ValueError(f"a retention below {MIN_RETENTION_HOURS} hours could delete files still being read")
    report = CompactReport(spec.name)
    path = spec.path(lakehouse)
    if not DeltaTable.is_deltatable(str(path)):
        return report
    table = DeltaTable(str(path))
    partitions = small_file_partitions(table, spec)
    for done, partition in enumerate(partitions, start=1):
        metrics = _compact_partition(table, partition)
        report.partitions_compacted += 1
        report.files_removed += int(metrics.get("numFilesRemoved", 0))
        report.files_added += int(metrics.get("numFilesAdded", 0))
        if progress is not None:
            progress(done, len(partitions))
    table.update_incremental()
    table.create_checkpoint()
    table.cleanup_metadata()
    vacuumed = table.vacuum(retention_hours=retention_hours, dry_run=False, enforce_retention_duration=False)
    report.files_vacuumed = len(vacuumed)
    table.update_incremental()
    report.version = table.version()
    return report


def _compact_partition(table: DeltaTable, partition: Partition) -> dict[str, Any]:
    filters = [(name, "=", value) for name, value in partition] or None
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return table.optimize.compact(partition_filters=filters)
        except CommitFailedError as exc:  # an ingest committed to this partition meanwhile: again
            log.debug("compaction of %s met a concurrent commit (%s); retrying", partition, exc)
            backoff(attempt)
            table.update_incremental()
    raise LakehouseWriteError(f"could not compact partition {dict(partition)}: too many concurrent commits")


def _text(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
