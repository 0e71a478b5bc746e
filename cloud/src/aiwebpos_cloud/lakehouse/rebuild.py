"""Recompute the derived tables from `events` (after a change of `derive.py`, or to repair by hand).

Each derived table is rewritten in one commit from a stream over `events` (only the event types it is
made of, in chunks, so memory stays flat), then the events received during the last hour are merged
into it again: a batch that a running ingest stored in `events` after the rewrite read it, but in the
derived table before the rewrite replaced it, gets its rows back. So a rebuild may run beside the ingest.
"""

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.dataset as pads  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from deltalake import DeltaTable, write_deltalake

from aiwebpos_cloud.lakehouse.delta import merge_new_rows, open_table
from aiwebpos_cloud.lakehouse.derive import DERIVATIONS, Derivation, EventBatch
from aiwebpos_cloud.lakehouse.tables import EVENTS

CHUNK_ROWS = 50_000
CATCH_UP = timedelta(hours=1)

Progress = Callable[[str, int], None]  # (table, events read so far)


@dataclass(frozen=True)
class RebuildReport:
    table: str
    rows: int
    version: int


def rebuild_all(lakehouse: Path, progress: Progress | None = None) -> list[RebuildReport]:
    return [rebuild(derivation, lakehouse, progress) for derivation in DERIVATIONS]


def rebuild(derivation: Derivation, lakehouse: Path, progress: Progress | None = None) -> RebuildReport:
    started = datetime.now(UTC)
    spec = derivation.spec
    target = open_table(spec, lakehouse)
    of_its_types = "type IN (" + ", ".join(f"'{name}'" for name in derivation.event_types) + ")"
    # Derived rows are staged in Parquet first: delta-rs cannot read `events` while it writes the target
    # from the same stream, and staging keeps memory flat whatever the size of the lakehouse.
    with tempfile.TemporaryDirectory(prefix=f".rebuild-{spec.name}-", dir=lakehouse) as staging:
        written, read = 0, 0
        for number, chunk in enumerate(_chunks(open_table(EVENTS, lakehouse), of_its_types)):
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
    since = (started - CATCH_UP).isoformat()
    for late in _chunks(open_table(EVENTS, lakehouse), f"{of_its_types} AND received_at >= '{since}'"):
        target.update_incremental()
        merge_new_rows(target, spec, derivation.derive(EventBatch(late)))
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
