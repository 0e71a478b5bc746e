"""Idempotent writes to one Delta table: insert the rows whose key is not stored yet, nothing else.

A write is a MERGE on the table's key, limited to the partitions the rows fall in. Delta's optimistic
concurrency then does the rest: if another writer (another ingest process) committed new files in those
partitions after we read them, our commit fails with `CommitFailedError` instead of storing a row twice,
and we simply run the MERGE again on the new snapshot. Writers that touch other partitions never
conflict.
"""

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]
from deltalake import DeltaTable
from deltalake.exceptions import CommitFailedError, DeltaError

from aiwebpos_cloud.lakehouse.tables import TableSpec

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 40
_BACKOFF_BASE_S = 0.02
_BACKOFF_CAP_S = 1.0


class LakehouseWriteError(RuntimeError):
    """A write that could not be committed (after retrying concurrent-commit conflicts)."""


@dataclass(frozen=True)
class MergeResult:
    inserted: int
    attempts: int
    updated: int = 0


def open_table(spec: TableSpec, lakehouse: Path) -> DeltaTable:
    """The table, created empty on first use (safe when several processes start at once)."""
    path = spec.path(lakehouse)
    for attempt in range(MAX_ATTEMPTS):
        if DeltaTable.is_deltatable(str(path)):
            return DeltaTable(str(path))
        try:
            path.mkdir(parents=True, exist_ok=True)
            return DeltaTable.create(
                str(path),
                spec.schema,
                mode="ignore",
                partition_by=list(spec.partition_by) or None,
                name=spec.name,
                description=spec.description,
            )
        except (CommitFailedError, DeltaError) as exc:  # another process created it first
            log.debug("creating %s raced another writer (%s); reading it again", spec.name, exc)
            backoff(attempt)
    raise LakehouseWriteError(f"could not create the Delta table {path}")


def merge_new_rows(table: DeltaTable, spec: TableSpec, rows: pa.Table) -> MergeResult:
    """Insert the rows of `rows` whose key `table` does not hold yet; retry on concurrent commits.

    `rows` must be unique by key (a MERGE inserts every unmatched source row, duplicates included).
    """
    return _merge(table, spec, rows, replace_matched=False)


def upsert_rows(table: DeltaTable, spec: TableSpec, rows: pa.Table) -> MergeResult:
    """Store `rows` by key: a row whose key `table` holds replaces it, the others are inserted; retry on
    concurrent commits. For the reference tables (catalog, stores, labels), whose rows change in place.

    `rows` must be unique by key (a MERGE may not match one target row with two source rows)."""
    return _merge(table, spec, rows, replace_matched=True)


def _merge(table: DeltaTable, spec: TableSpec, rows: pa.Table, replace_matched: bool) -> MergeResult:
    if rows.num_rows == 0:
        return MergeResult(inserted=0, attempts=0)
    predicate = merge_predicate(spec, rows)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            merge = table.merge(rows, predicate, source_alias="s", target_alias="t")
            if replace_matched:
                merge = merge.when_matched_update_all()
            metrics = merge.when_not_matched_insert_all().execute()
            return MergeResult(
                inserted=int(metrics.get("num_target_rows_inserted", 0)),
                attempts=attempt,
                updated=int(metrics.get("num_target_rows_updated", 0)),
            )
        except CommitFailedError as exc:
            log.debug("%s: concurrent commit (%s), merging again (attempt %d)", spec.name, exc, attempt)
            backoff(attempt)
            table.update_incremental()
    raise LakehouseWriteError(
        f"{spec.name}: gave up after {MAX_ATTEMPTS} concurrent-commit conflicts; the batch will be retried"
    )


def merge_predicate(spec: TableSpec, rows: pa.Table) -> str:
    """`t.key = s.key AND …` plus the exact set of partitions of `rows` (so only they are read)."""
    on_key = " AND ".join(f"t.{column} = s.{column}" for column in spec.key)
    if not spec.partition_by:
        return on_key
    names = list(spec.partition_by)
    distinct = rows.select(names).group_by(names).aggregate([])  # in Arrow: a derived batch has ~10⁵ rows
    partitions = sorted(zip(*(distinct.column(name).to_pylist() for name in names), strict=True))
    alternatives = " OR ".join(_partition_clause(spec.partition_by, values) for values in partitions)
    return f"{on_key} AND ({alternatives})"


def _partition_clause(names: tuple[str, ...], values: tuple[object, ...]) -> str:
    return "(" + " AND ".join(f"t.{n} = {_literal(v)}" for n, v in zip(names, values, strict=True)) + ")"


def _literal(value: object) -> str:
    if isinstance(value, date):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"unsupported partition value {value!r}")


def backoff(attempt: int, sleep: Callable[[float], None] = time.sleep) -> None:
    """Exponential backoff with full jitter, so two writers that collided do not collide again."""
    sleep(random.uniform(0, min(_BACKOFF_CAP_S, _BACKOFF_BASE_S * 2**attempt)))
