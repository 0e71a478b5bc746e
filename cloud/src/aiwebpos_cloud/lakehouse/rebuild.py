"""Recompute the derived tables from `events` (after a change of `derive.py`, or to repair by hand).

A rebuild holds the derive lock for its whole run, so no deriver writes a derived table meanwhile (a
running ingest keeps storing `events`; its deriver stands by). It reads one version of `events`,
rewrites each derived table from it in one commit (a stream over the event types the table is made of,
in chunks, so memory stays flat), then records that version as derived: the deriver carries on from
there with what the ingest stored during the rebuild.
"""

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.dataset as pads  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from deltalake import DeltaTable, write_deltalake

from aiwebpos_cloud.lakehouse.delta import open_table
from aiwebpos_cloud.lakehouse.derive import DERIVATIONS, Derivation, EventBatch
from aiwebpos_cloud.lakehouse.derive_state import DeriveLock, DeriverState, write_state
from aiwebpos_cloud.lakehouse.tables import EVENTS

CHUNK_ROWS = 50_000

Progress = Callable[[str, int], None]  # (table, events read so far)


@dataclass(frozen=True)
class RebuildReport:
    table: str
    rows: int
    version: int


def rebuild_all(
    lakehouse: Path,
    progress: Progress | None = None,
    done: Callable[[RebuildReport], None] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> list[RebuildReport]:
    """Rebuild every derived table from one version of `events`, then record that version as derived.

    `on_wait` is called if a deriver's pass holds the lock (the rebuild then waits for it)."""
    reports = []
    with DeriveLock(lakehouse).held(on_wait):
        events = open_table(EVENTS, lakehouse)
        for derivation in DERIVATIONS:
            reports.append(rebuild(derivation, lakehouse, events, progress))
            if done is not None:
                done(reports[-1])
        write_state(lakehouse, DeriverState(events.version(), datetime.now(UTC).isoformat()))
    return reports


def rebuild(
    derivation: Derivation, lakehouse: Path, events: DeltaTable, progress: Progress | None = None
) -> RebuildReport:
    """Rewrite one derived table from `events` as loaded (call under the derive lock: `rebuild_all`)."""
    spec = derivation.spec
    target = open_table(spec, lakehouse)
    of_its_types = "type IN (" + ", ".join(f"'{name}'" for name in derivation.event_types) + ")"
    # Derived rows are staged in Parquet first: delta-rs cannot read `events` while it writes the target
    # from the same stream, and staging keeps memory flat whatever the size of the lakehouse.
    with tempfile.TemporaryDirectory(prefix=f".rebuild-{spec.name}-", dir=lakehouse) as staging:
        written, read = 0, 0
        for number, chunk in enumerate(_chunks(events, of_its_types)):
            rows = derivation.derive(EventBatch(chunk))
            pq.write_table(rows, Path(staging) / f"{number:06d}.parquet")
            written, read = written + rows.num_rows, read + chunk.num_rows
            if progress is not None:
                progress(spec.name, read)
        staged = pads.dataset(staging, schema=spec.schema, format="parquet").scanner().to_reader()
        write_deltalake(
            target,
            staged,
            mode="overwrite",
            schema_mode="overwrite",
            partition_by=list(spec.partition_by) or None,
        )
    return RebuildReport(spec.name, written, DeltaTable(str(spec.path(lakehouse))).version())


def _chunks(table: DeltaTable, predicate: str) -> Iterator[pa.Table]:
    """The rows of `table` that meet `predicate` (DataFusion SQL), in tables of about CHUNK_ROWS rows.

    Read with deltalake's own engine: pyarrow cannot filter the string_view columns of MERGE output."""
    pending: list[pa.RecordBatch] = []
    size = 0
    for batch in table.scan(predicate=predicate):
        pending.append(pa.record_batch(batch))
        size += len(pending[-1])
        if size >= CHUNK_ROWS:
            yield pa.Table.from_batches(pending)
            pending, size = [], 0
    if size:
        yield pa.Table.from_batches(pending)
