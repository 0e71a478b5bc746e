"""The lakehouse's physical limits: the same `events` rows, in the same batches, by plain deltalake.

- **append**: `write_deltalake(table, batch, mode="append")`, one commit per batch, partitioned by store
  and date as `events` is: what storing the rows costs with nothing checked.
- **merge**: `table.merge(batch, "t.event_id = s.event_id AND <the batch's partitions>")` with only
  `when_not_matched_insert_all`, one commit per batch: what storing them exactly once costs (the ingest's
  MERGE on `event_id`, limited to the batch's partitions the same way), without the derived tables.
- **writer**: the ingest's own `LakehouseWriter.write` on the same envelopes in the same batches
  (one MERGE into `events` per batch, building its rows included), without MQTT, validation or
  acknowledgements.
- **deriver**: then the deriver on what the writer stored, one pass per batch (as when it keeps up
  with the ingest): reading each version's new rows, `derive_all`, and a MERGE per derived table.

Each starts from an empty table (created untimed); the rows are built before the clock starts.
"""

import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
from deltalake import DeltaTable, write_deltalake

from aiwebpos_cloud.lakehouse.deriver import Deriver
from aiwebpos_cloud.lakehouse.rows import events_table
from aiwebpos_cloud.lakehouse.tables import EVENTS
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter
from aiwebpos_contracts import Envelope

RECEIVED_AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def batches_of(envelopes: list[Envelope], size: int) -> list[list[Envelope]]:
    return [envelopes[i : i + size] for i in range(0, len(envelopes), size)]


def event_rows(batches: list[list[Envelope]]) -> list[pa.Table]:
    return [events_table(batch, RECEIVED_AT) for batch in batches]


def _empty_events(path: Path) -> DeltaTable:
    return DeltaTable.create(str(path), EVENTS.schema, partition_by=list(EVENTS.partition_by), name="events")


def append(path: Path, rows: list[pa.Table]) -> float:
    """Seconds to append every batch, one commit each."""
    table = _empty_events(path)
    started = time.perf_counter()
    for batch in rows:
        write_deltalake(table, batch, mode="append")
    return time.perf_counter() - started


def _predicate(batch: pa.Table) -> str:
    pairs = sorted(
        set(zip(batch.column("store_id").to_pylist(), batch.column("date").to_pylist(), strict=True))
    )
    partitions = " OR ".join(
        f"(t.store_id = '{store}' AND t.date = '{day.isoformat()}')" for store, day in pairs
    )
    return f"t.event_id = s.event_id AND ({partitions})"


def merge(path: Path, rows: list[pa.Table]) -> float:
    """Seconds to MERGE every batch by event_id (inserting the rows not stored yet), one commit each."""
    table = _empty_events(path)
    started = time.perf_counter()
    for batch in rows:
        table.merge(
            batch, _predicate(batch), source_alias="s", target_alias="t"
        ).when_not_matched_insert_all().execute()
    return time.perf_counter() - started


def writer(root: Path, batches: list[list[Envelope]]) -> float:
    """Seconds for the ingest's LakehouseWriter to store every batch (into `events`)."""
    lakehouse = LakehouseWriter(root)
    lakehouse.create_tables()
    started = time.perf_counter()
    for batch in batches:
        lakehouse.write(batch, received_at=RECEIVED_AT)
    return time.perf_counter() - started


def deriver(root: Path, batch: int) -> float:
    """Seconds for the deriver to derive what `writer` stored at `root`, one pass per batch."""
    started = time.perf_counter()
    Deriver(root, max_events=batch).derive_pending()
    return time.perf_counter() - started
