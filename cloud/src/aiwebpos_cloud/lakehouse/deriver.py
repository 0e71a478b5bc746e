"""The deriver: keeps the derived tables (`sales`, `sale_lines`, …) up with `events`, off the ingest's path.

The ingest commits each batch to `events` alone and acknowledges it. The deriver follows `events`: a pass
takes the versions committed since the last one derived, reads the rows those commits added, builds the
derived rows with `derive_all`, MERGEs each derived table on its key, and only then records the last
version derived (`derive_state`). So:

- nothing is lost: a version is recorded as derived only after every derived table holds its rows; a
  deriver that dies before that leaves the old record, and the next pass (its own after a restart, or
  a standby's) derives those versions again;
- nothing is doubled: deriving again is a MERGE on each table's key, which skips the rows already there;
- passes take every version pending (up to `max_events` rows), so a deriver that fell behind catches up
  in few large passes instead of one small pass per ingest batch;
- one deriver at a time works on a lakehouse (`DeriveLock`, taken per pass); others stand by.

The rows of new versions come from deltalake's `load_cdf`. `events` does not enable Delta's change data
feed — its extra change files would cost every ingest MERGE 10–30 ms — and for such a table delta-rs
reads the rows of the files that data-changing commits added (a MERGE that only inserts adds files and
removes none), skipping compaction's rewrites, which change no data. `test_cloud_deriver.py` pins this.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
from deltalake import DeltaTable

from aiwebpos_cloud.lakehouse.delta import merge_new_rows, open_table
from aiwebpos_cloud.lakehouse.derive import EventBatch, derive_all
from aiwebpos_cloud.lakehouse.derive_state import DeriveLock, DeriverState, read_state, write_state
from aiwebpos_cloud.lakehouse.tables import BY_NAME, EVENTS, TableSpec

log = logging.getLogger(__name__)

MAX_EVENTS_PER_PASS = 40_000  # ~80 MB of payload text held at once
_RETRY_CAP_S = 30.0


class DeriveError(RuntimeError):
    """A pass that cannot be done as things are (and will not succeed by trying again alone)."""


@dataclass(frozen=True)
class DeriveLag:
    """How far the derived tables are behind `events`."""

    derived_version: int
    events_version: int
    seconds: float  # how long the oldest `events` commit not derived yet has waited (0 when caught up)
    derived_at: str | None = None

    @property
    def versions(self) -> int:
        return max(0, self.events_version - self.derived_version)

    @property
    def caught_up(self) -> bool:
        return self.versions == 0

    def describe(self) -> str:
        if self.caught_up:
            return f"caught up with events version {self.events_version}"
        return (
            f"{self.versions} events version{'s' if self.versions != 1 else ''} behind "
            f"({self.seconds:.1f} s): derived up to {self.derived_version} of {self.events_version}"
        )


@dataclass
class DerivePass:
    first_version: int
    last_version: int
    events: int = 0
    rows: dict[str, int] = field(default_factory=dict)  # new rows per derived table
    merges: int = 0
    commit_attempts: int = 0
    seconds: float = 0.0
    lag: DeriveLag | None = None  # right after the pass


_NO_ROWS = ("CREATE TABLE", "OPTIMIZE", "VACUUM START", "VACUUM END", "SET TBLPROPERTIES")


def _commit_rows(commit: dict[str, Any]) -> int | None:
    """Rows a commit added, from its metrics (MERGE: inserted; WRITE: added); None if it does not say."""
    if commit.get("operation") in _NO_ROWS:
        return 0
    metrics = commit.get("operationMetrics") or {}
    for name in ("num_target_rows_inserted", "num_added_rows"):
        if name in metrics:
            return int(metrics[name])
    return None


def _pending_commits(events: DeltaTable, derived: int, target: int) -> list[dict[str, Any]]:
    """The commitInfo of every version after `derived` up to `target`, oldest first."""
    if target <= derived:
        return []
    commits = sorted(
        (c for c in events.history(target - derived) if derived < int(c["version"]) <= target),
        key=lambda c: int(c["version"]),
    )
    if not commits or int(commits[0]["version"]) != derived + 1:
        raise DeriveError(
            f"the log of events version {derived + 1} is gone (cleaned up after a long stop?): "
            "run `aiwebpos-cloud lakehouse rebuild`, which derives everything and records where it got"
        )
    return commits


def _age(commit: dict[str, Any], now: float) -> float:
    return max(0.0, now - float(commit["timestamp"]) / 1000)


def _lag(events: DeltaTable, state: DeriverState, now: float) -> DeriveLag:
    """The lag of `state` behind `events` as loaded."""
    version = events.version()
    seconds = 0.0
    if version > state.events_version:
        waiting = [
            c for c in events.history(version - state.events_version) if c["version"] > state.events_version
        ]
        seconds = _age(min(waiting, key=lambda c: int(c["version"])), now) if waiting else 0.0
    return DeriveLag(state.events_version, version, seconds, state.derived_at)


def derive_lag(lakehouse: Path, now: Callable[[], float] = time.time) -> DeriveLag:
    """The derived tables' lag behind `events`, read from the lakehouse (creates nothing)."""
    state = read_state(lakehouse)
    path = EVENTS.path(lakehouse)
    if not DeltaTable.is_deltatable(str(path)):
        return DeriveLag(state.events_version, state.events_version, 0.0, state.derived_at)
    return _lag(DeltaTable(str(path)), state, now())


class Deriver:
    """Derives the `events` versions not derived yet into every derived table, one pass at a time."""

    def __init__(
        self,
        lakehouse: Path,
        max_events: int = MAX_EVENTS_PER_PASS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.lakehouse = lakehouse
        self.max_events = max_events
        self.lock = DeriveLock(lakehouse)
        self._now = now
        self._tables: dict[str, DeltaTable] = {}
        self._latest: DeltaTable | None = None

    def derive_pending(
        self,
        wait: bool = False,
        on_wait: Callable[[], None] | None = None,
        on_pass: Callable[[DerivePass], None] | None = None,
    ) -> list[DerivePass] | None:
        """Derive every `events` version committed so far, in passes of at most `max_events` rows.

        Returns the passes made (none if there was nothing to derive), or None when another deriver
        holds the lock and `wait` is false. With `wait`, `on_wait` is called before waiting for it;
        `on_pass` after each pass."""
        if not self.lock.acquire(wait=False):
            if not wait:
                return None
            if on_wait is not None:
                on_wait()
            self.lock.acquire(wait=True)
        try:
            events = self._table(EVENTS)
            events.update_incremental()
            target = events.version()
            passes: list[DerivePass] = []
            while (one := self._pass(events, target)) is not None:
                passes.append(one)
                if on_pass is not None:
                    on_pass(one)
            return passes
        finally:
            self.lock.release()

    def follow(
        self,
        stopping: threading.Event,
        interval: float,
        busy: Callable[[], bool] | None = None,
        busy_interval: float = 0.0,
    ) -> None:
        """Derive what is new every `interval` seconds until `stopping` is set, then once more and return.

        While `busy()` says the ingest beside it has more than it can take (its batches fill up), passes
        are `busy_interval` seconds apart instead: fewer, larger passes, which cost less per event and
        leave the cores to the ingest; the derived tables catch up at the first look after the burst.
        A failed pass is logged and tried again later (backing off): deriving never stops the ingest."""
        failures, standing_by = 0, False
        last_pass = time.monotonic()
        while True:
            last_look = stopping.is_set()
            delay = interval
            deferred = busy is not None and busy() and time.monotonic() - last_pass < busy_interval
            try:
                if not deferred or last_look:
                    passes = self.derive_pending(wait=False, on_pass=_log_pass)
                    last_pass, failures = time.monotonic(), 0
                    if passes is None and not standing_by:
                        log.info("another process is deriving into %s; standing by", self.lakehouse)
                    elif passes is not None and standing_by:
                        log.info("deriving into %s (no other deriver holds the lock)", self.lakehouse)
                    standing_by = passes is None
            except Exception:
                failures += 1
                delay = min(_RETRY_CAP_S, interval * 2**failures)
                log.exception("could not derive; trying again in %.0f s (nothing is lost meanwhile)", delay)
            if last_look:
                return
            stopping.wait(delay)

    def _pass(self, events: DeltaTable, target: int) -> DerivePass | None:
        started = time.perf_counter()
        derived = read_state(self.lakehouse).events_version
        commits = _pending_commits(events, derived, target)
        if not commits:
            return None
        chosen, rows = [commits[0]], _commit_rows(commits[0]) or 0
        for commit in commits[1:]:
            rows += _commit_rows(commit) or 0
            if rows > self.max_events:
                break
            chosen.append(commit)
        last = int(chosen[-1]["version"])
        report = DerivePass(first_version=derived + 1, last_version=last)
        # Reading starts at the first commit that may add rows: commits that add none (the table's
        # creation, compaction) are skipped, and delta-rs refuses to start a read on a commit that holds
        # table metadata (a creation) unless the table enables the change data feed.
        adding = [c for c in chosen if _commit_rows(c) != 0]
        if adding:
            batch = _new_events(events, int(adding[0]["version"]), last)
            report.events = batch.frame.height
            for name, derived_rows in derive_all(batch).items():
                result = merge_new_rows(self._fresh(BY_NAME[name]), BY_NAME[name], derived_rows)
                report.rows[name] = result.inserted
                report.merges += 1
                report.commit_attempts += result.attempts
        state = DeriverState(last, datetime.now(UTC).isoformat())
        write_state(self.lakehouse, state)
        report.seconds = time.perf_counter() - started
        # The lag as it is now, counting what the ingest committed during the pass (a second handle on
        # `events`: the first stays at `target` for the passes still to come).
        if self._latest is None:
            self._latest = DeltaTable(str(EVENTS.path(self.lakehouse)))
        self._latest.update_incremental()
        report.lag = _lag(self._latest, state, self._now())
        return report

    def _table(self, spec: TableSpec) -> DeltaTable:
        if spec.name not in self._tables:
            self._tables[spec.name] = open_table(spec, self.lakehouse)
        return self._tables[spec.name]

    def _fresh(self, spec: TableSpec) -> DeltaTable:
        table = self._table(spec)
        table.update_incremental()
        return table


def _new_events(events: DeltaTable, first: int, last: int) -> EventBatch:
    """The rows that `events` versions first…last inserted, as an EventBatch."""
    try:
        changes = pa.table(events.load_cdf(starting_version=first, ending_version=last))
    except Exception as exc:
        raise DeriveError(
            f"could not read the rows of events versions {first}–{last} ({exc}); if their files were "
            "vacuumed (a deriver stopped for longer than the vacuum retention), run "
            "`aiwebpos-cloud lakehouse rebuild`"
        ) from exc
    frame = pl.from_arrow(changes)
    assert isinstance(frame, pl.DataFrame)
    inserted = frame.filter(pl.col("_change_type") == "insert").select(EVENTS.schema.names)
    return EventBatch(inserted)


def _log_pass(one: DerivePass) -> None:
    """One line per pass: what was derived, and the lag left (logged by `follow`)."""
    new_rows = ", ".join(f"{name} {count}" for name, count in one.rows.items() if count) or "none"
    log.info(
        "derived events versions %d–%d (%d events) in %.0f ms, new rows: %s; %s",
        one.first_version,
        one.last_version,
        one.events,
        one.seconds * 1000,
        new_rows,
        one.lag.describe() if one.lag else "",
    )
