"""`LakehouseWriter`: the one way events get into the lakehouse (the ingest and the history generator),
and reference rows too (`upsert`: the catalog, the stores, fraud labels).

A batch is one MERGE on `event_id` into `events` — one commit, nothing else: writing the same envelopes
again (a redelivery, a restarted ingest, a second ingest process) stores nothing twice. The derived
tables follow `events` on their own (`deriver.py`), so a batch never waits for them.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
from deltalake import DeltaTable

from aiwebpos_cloud.lakehouse.delta import MergeResult, merge_new_rows, open_table, upsert_rows
from aiwebpos_cloud.lakehouse.rows import (
    DeadLetter,
    RawEnvelope,
    dead_letters_table,
    events_table,
    unique_envelopes,
)
from aiwebpos_cloud.lakehouse.tables import ALL_TABLES, DEAD_LETTERS, EVENTS, REFERENCE, TableSpec
from aiwebpos_contracts import Envelope


@dataclass
class WriteReport:
    received: int = 0
    stored: int = 0
    merges: int = 0
    commit_attempts: int = 0
    seconds: float = 0.0

    @property
    def retries(self) -> int:
        """MERGEs run again because another writer committed to the same partitions first."""
        return self.commit_attempts - self.merges

    @property
    def duplicates(self) -> int:
        return self.received - self.stored


class LakehouseWriter:
    """Stores batches of validated envelopes (and dead letters) in the lakehouse at `root`, idempotently."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._tables: dict[str, DeltaTable] = {}

    def create_tables(self) -> None:
        """Create every table not created yet, so that readers see them all from the start."""
        for spec in ALL_TABLES:
            self.table(spec)

    def write(
        self, envelopes: Sequence[Envelope | RawEnvelope], *, received_at: datetime | None = None
    ) -> WriteReport:
        """Store every envelope whose event_id is not stored yet, in one commit to `events`.

        Returns once that is committed; raises `LakehouseWriteError` (or an I/O error) otherwise,
        in which case nothing may be acknowledged and the same batch can simply be written again.
        """
        started = time.perf_counter()
        report = WriteReport(received=len(envelopes))
        unique = unique_envelopes(envelopes)
        if unique:
            events = events_table(unique, received_at or datetime.now(UTC))
            report.stored = self._merge(EVENTS, events, report)
        report.seconds = time.perf_counter() - started
        return report

    def write_dead_letters(self, letters: Sequence[DeadLetter]) -> int:
        """Keep messages that are not valid events, with the reason; returns how many were new."""
        if not letters:
            return 0
        return self._merge(DEAD_LETTERS, dead_letters_table(letters), WriteReport())

    def upsert(self, spec: TableSpec, rows: pa.Table) -> MergeResult:
        """Store reference rows (`products`, `stores`, `fraud_labels`, `price_decisions`) by key, in one commit: a row whose
        key is stored replaces it (update when matched), the others are inserted.

        `rows` must be unique by key and have the table's columns (cast to its schema here)."""
        if spec not in REFERENCE:
            raise ValueError(
                f"{spec.name} is not a reference table: events go through write(), derived tables follow them"
            )
        keys = rows.select(list(spec.key)).group_by(list(spec.key)).aggregate([])
        if keys.num_rows != rows.num_rows:
            raise ValueError(f"{spec.name}: {rows.num_rows - keys.num_rows} rows repeat a key of another row")
        table = self.table(spec)
        table.update_incremental()
        return upsert_rows(table, spec, rows.select(spec.schema.names).cast(spec.schema))

    def _merge(self, spec: TableSpec, rows: pa.Table, report: WriteReport) -> int:
        table = self.table(spec)
        table.update_incremental()
        result = merge_new_rows(table, spec, rows)
        report.merges += 1
        report.commit_attempts += result.attempts
        return result.inserted

    def table(self, spec: TableSpec) -> DeltaTable:
        if spec.name not in self._tables:
            self._tables[spec.name] = open_table(spec, self.root)
        return self._tables[spec.name]
