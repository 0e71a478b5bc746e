"""Watching a Delta table fill: when did the commit that completed it land, does it hold each row once, and
how far behind `events` the derived tables were meanwhile."""

import time
from datetime import datetime
from pathlib import Path

import pyarrow.compute as pc  # type: ignore[import-untyped]
from deltalake import DeltaTable

from aiwebpos_cloud.lakehouse.deriver import derive_lag

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


def derived_lag(lakehouse: Path) -> dict[str, float]:
    """How far the derived tables are behind `events` right now: versions, and the age in seconds of the
    oldest `events` commit not derived yet (0 and 0 when caught up)."""
    lag = derive_lag(lakehouse)
    return {"versions": float(lag.versions), "seconds": lag.seconds}


def wait_derived(lakehouse: Path, timeout: float = 180) -> float:
    """Until the deriver has caught up with `events`; the time (`time.time()`) it recorded doing so.

    The deriver writes its state right after the derived tables' commits, so that time is when the
    derived tables became complete, not when this poll noticed it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        lag = derive_lag(lakehouse)
        if lag.caught_up and lag.derived_at is not None:
            return datetime.fromisoformat(lag.derived_at).timestamp()
        time.sleep(POLL_S)
    raise RuntimeError(f"the derived tables are still behind after {timeout:.0f} s: {lag.describe()}")
