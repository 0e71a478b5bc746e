"""Watching a Delta table fill: when did the commit that completed it land, and does it hold each row once."""

import time
from pathlib import Path

import pyarrow.compute as pc  # type: ignore[import-untyped]
from deltalake import DeltaTable

POLL_S = 0.05


def wait_for_rows(table_dir: Path, expected: int, timeout: float = 180) -> float:
    """Until the table counts `expected` rows; the time (`time.time()`) of the commit that got it there.

    The time is the commit's own timestamp in the Delta log, not when this poll noticed it. A MERGE that
    inserts nothing (a redelivery) commits nothing, so the newest commit is the one that completed it."""
    deadline = time.monotonic() + timeout
    table: DeltaTable | None = None
    count = 0
    while time.monotonic() < deadline:
        if table is None and DeltaTable.is_deltatable(str(table_dir)):
            table = DeltaTable(str(table_dir))
        if table is not None:
            table.update_incremental()
            count = table.count()
            if count >= expected:
                return float(table.history(1)[0]["timestamp"]) / 1000
        time.sleep(POLL_S)
    raise RuntimeError(f"{table_dir.name} holds {count} of {expected} rows after {timeout:.0f} s")


def rows_and_keys(table_dir: Path, key: str = "event_id") -> tuple[int, int]:
    """(rows, distinct keys) of the table: equal when nothing is stored twice."""
    keys = DeltaTable(str(table_dir)).to_pyarrow_table(columns=[key]).column(key)
    return len(keys), len(pc.unique(keys))
