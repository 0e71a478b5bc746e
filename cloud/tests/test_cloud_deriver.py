"""The deriver on real Delta tables: the derived tables follow `events`, equal to a rebuild, never doubled,
one deriver at a time, and a deriver killed at the worst moment loses and doubles nothing."""

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from cloud_factories import Store
from cloud_support import CLOUD, IngestProcess, StorePublisher, derive, query, scalar, wait_until

from aiwebpos_cloud.cli import main
from aiwebpos_cloud.lakehouse.derive_state import DeriveLock, read_state
from aiwebpos_cloud.lakehouse.deriver import Deriver, derive_lag
from aiwebpos_cloud.lakehouse.maintenance import compact
from aiwebpos_cloud.lakehouse.rebuild import rebuild_all
from aiwebpos_cloud.lakehouse.tables import DERIVED, EVENTS
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter
from aiwebpos_contracts import Envelope


def _days(*stores: str, sales: int = 4) -> list[Envelope]:
    """Every event type the derived tables are made of: punches, shifts, sales, a return, stock, a
    cancelled sale and a no-sale."""
    envelopes: list[Envelope] = []
    for store_id in stores:
        store = Store(store_id)
        envelopes += [*store.day(sales=sales), store.cancelled_sale(), store.no_sale()]
    return envelopes


def _derived(lakehouse: Path) -> dict[str, list[dict[str, Any]]]:
    return {spec.name: query(lakehouse, f"SELECT * FROM {spec.name} ORDER BY ALL") for spec in DERIVED}


def _assert_each_key_once(lakehouse: Path) -> None:
    for spec in DERIVED:
        key = ", ".join(spec.key)
        rows = scalar(lakehouse, f"SELECT count(*) FROM {spec.name}")
        keys = scalar(lakehouse, f"SELECT count(*) FROM (SELECT DISTINCT {key} FROM {spec.name})")
        assert rows == keys, spec.name


def _write_batches(lakehouse: Path, batches: int) -> int:
    writer, written = LakehouseWriter(lakehouse), 0
    for number in range(batches):
        batch = _days(f"S-{number:02d}", "MSU-01")
        writer.write(batch)
        written += len(batch)
    return written


def test_derived_tables_equal_a_rebuild_after_batches_derived_in_passes(lakehouse: Path) -> None:
    writer = LakehouseWriter(lakehouse)
    first, second, third = _days("MSU-01", "TY-02"), _days("MHL-03"), _days("MSU-01", sales=7)
    writer.write(first)
    writer.write(second)
    assert [p.events for p in Deriver(lakehouse).derive_pending() or []] == [len(first) + len(second)]
    writer.write(third)
    writer.write(first[:5] + third[-3:])  # a redelivery stores nothing: no version to derive
    small = Deriver(lakehouse, max_events=1)  # one version per pass when the deriver is behind
    assert [p.events for p in small.derive_pending() or []] == [len(third)]

    derived = _derived(lakehouse)
    assert len(derived["sales"]) == 3 * 4 + 7 + 4  # each day: its sales and the one returned
    assert all(rows for rows in derived.values()), "every derived table has rows"
    assert derive_lag(lakehouse).caught_up
    rebuild_all(lakehouse)
    assert _derived(lakehouse) == derived
    _assert_each_key_once(lakehouse)


def test_a_deriver_behind_catches_up_in_passes_no_larger_than_asked(lakehouse: Path) -> None:
    written = _write_batches(lakehouse, 5)
    lag = derive_lag(lakehouse)
    assert (lag.versions, lag.caught_up) == (5, False)

    passes = Deriver(lakehouse, max_events=2 * written // 5).derive_pending() or []

    assert [(p.first_version, p.last_version) for p in passes] == [(1, 2), (3, 4), (5, 5)]
    assert sum(p.events for p in passes) == written
    assert passes[-1].lag is not None and passes[-1].lag.caught_up
    assert read_state(lakehouse).events_version == 5


def test_compacting_events_derives_nothing_again(lakehouse: Path) -> None:
    """delta-rs's load_cdf on a table without a change data feed reads the files that data commits
    added and skips compaction's rewrites: the deriver relies on both."""
    _write_batches(lakehouse, 3)
    derive(lakehouse)
    assert compact(EVENTS, lakehouse).files_removed > 0
    late = _days("MSU-01", sales=2)
    LakehouseWriter(lakehouse).write(late)

    passes = Deriver(lakehouse).derive_pending() or []

    assert sum(p.events for p in passes) == len(late)
    assert sum(p.rows.get("sales", 0) for p in passes) == 3  # two sales and the one returned


DIES_BEFORE_ITS_STATE = """
import sys, time
from pathlib import Path

import aiwebpos_cloud.lakehouse.deriver as deriver


def stall(lakehouse, state):
    Path(sys.argv[2]).touch()  # every derived table is committed; the state is not written yet
    time.sleep(120)


deriver.write_state = stall
deriver.Deriver(Path(sys.argv[1])).derive_pending()
"""


def test_a_deriver_killed_between_its_commits_and_its_state_derives_again_without_doubles(
    lakehouse: Path, tmp_path: Path
) -> None:
    written = _write_batches(lakehouse, 3)
    marker = tmp_path / "committed"
    doomed = subprocess.Popen([sys.executable, "-c", DIES_BEFORE_ITS_STATE, str(lakehouse), str(marker)])
    try:
        wait_until(marker.exists, what="the doomed deriver's commits")
    finally:
        doomed.kill()  # SIGKILL: after the derived tables' commits, before the state update
        doomed.wait(10)
    assert read_state(lakehouse).events_version == 0
    committed = _derived(lakehouse)
    assert len(committed["sales"]) == 3 * 2 * 5

    again = Deriver(lakehouse).derive_pending()  # the lock died with the process: no waiting

    assert again is not None and sum(p.events for p in again) == written
    assert all(count == 0 for p in again for count in p.rows.values()), "nothing stored a second time"
    assert _derived(lakehouse) == committed
    assert read_state(lakehouse).events_version == 3
    _assert_each_key_once(lakehouse)


def test_a_second_deriver_stands_by_while_one_holds_the_lock_then_finds_the_work(lakehouse: Path) -> None:
    written = _write_batches(lakehouse, 2)
    holder = DeriveLock(lakehouse)
    assert holder.acquire(wait=False)  # another deriver in the middle of a pass
    try:
        assert Deriver(lakehouse).derive_pending(wait=False) is None
        results: list[Any] = []
        waiting = threading.Thread(
            target=lambda: results.append(Deriver(lakehouse).derive_pending(wait=True))
        )
        waiting.start()
        command = subprocess.Popen(
            [CLOUD, "lakehouse", "derive", "--lakehouse", str(lakehouse)],
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        lines: list[str] = []
        reader = threading.Thread(target=lambda: [lines.append(line) for line in command.stderr or ()])
        reader.start()
        # the command needs a second or two to start (more on a busy machine): wait until it says it waits
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("another process is deriving" in x for x in lines):
            time.sleep(0.05)
        assert waiting.is_alive() and command.poll() is None, "both wait for the lock"
    finally:
        holder.release()
    waiting.join(30)
    command.wait(timeout=60)
    reader.join(10)
    if command.stderr is not None:
        command.stderr.close()
    errors = "".join(lines)
    assert command.returncode == 0, errors
    assert "another process is deriving; waiting" in errors
    by_command = re.search(r"derived ([\d,]+) events in \d+ passes", errors)
    assert by_command is not None, errors
    assert sum(p.events for p in results[0]) + int(by_command[1].replace(",", "")) == written
    assert "caught up with events version 2" in errors
    _assert_each_key_once(lakehouse)


def test_two_following_derivers_beside_a_writer_derive_everything_once(lakehouse: Path) -> None:
    writer = LakehouseWriter(lakehouse)
    writer.create_tables()
    stopping = threading.Event()
    followers = [threading.Thread(target=Deriver(lakehouse).follow, args=(stopping, 0.05)) for _ in range(2)]
    for follower in followers:
        follower.start()
    for number in range(12):
        writer.write(_days(f"S-{number % 3}", sales=2))
        time.sleep(0.05)
    stopping.set()
    for follower in followers:
        follower.join(60)

    assert derive_lag(lakehouse).caught_up
    derived = _derived(lakehouse)
    assert len(derived["sales"]) == 12 * 3
    _assert_each_key_once(lakehouse)
    rebuild_all(lakehouse)
    assert _derived(lakehouse) == derived


def test_a_deriver_beside_a_busy_ingest_waits_for_the_burst_to_end(lakehouse: Path) -> None:
    _write_batches(lakehouse, 2)
    busy = threading.Event()
    busy.set()
    stopping = threading.Event()
    follower = threading.Thread(target=Deriver(lakehouse).follow, args=(stopping, 0.05, busy.is_set, 60))
    follower.start()
    try:
        time.sleep(0.5)  # ten looks: all deferred while the ingest's batches fill up
        assert derive_lag(lakehouse).versions == 2
        busy.clear()
        wait_until(lambda: derive_lag(lakehouse).caught_up, timeout=10, what="the deriver after the burst")
    finally:
        stopping.set()
        follower.join(30)
    _assert_each_key_once(lakehouse)


def test_lakehouse_tables_shows_how_far_the_derived_tables_lag(lakehouse: Path) -> None:
    _write_batches(lakehouse, 2)

    def tables(*flags: str) -> str:  # the command in this process: four starts of its own cost seconds
        answer = CliRunner().invoke(
            main, ["lakehouse", "tables", "--lakehouse", str(lakehouse), *flags], env={"COLUMNS": "200"}
        )
        assert answer.exit_code == 0, answer.output
        return answer.output

    assert "2 events versions behind" in tables()
    behind = json.loads(tables("--json"))["deriver"]
    assert (behind["versions_behind"], behind["caught_up"], behind["derived_version"]) == (2, False, 0)
    assert behind["seconds_behind"] >= 0
    derive(lakehouse)
    assert "caught up with events version 2" in tables()
    assert json.loads(tables("--json"))["deriver"]["caught_up"] is True


def test_an_ingest_with_no_derive_leaves_the_derived_tables_to_lakehouse_derive(
    lakehouse: Path,
    ingest_process: Callable[..., IngestProcess],
    store_publisher: Callable[[str], StorePublisher],
) -> None:
    ingest = ingest_process(AIWEBPOS_DERIVE="false", AIWEBPOS_BATCH_SECONDS="0.2").start()
    events = _days("MSU-01", sales=10)
    store_publisher("MSU-01").publish(events)
    wait_until(lambda: scalar(lakehouse, "SELECT count(*) FROM events") == len(events), what="the events")
    time.sleep(1.5)  # longer than a deriver's interval: none runs
    assert "not deriving" in ingest.log()
    assert scalar(lakehouse, "SELECT count(*) FROM sales") == 0
    assert derive_lag(lakehouse).versions >= 1

    answer = subprocess.run(
        [CLOUD, "lakehouse", "derive", "--lakehouse", str(lakehouse)], capture_output=True, text=True
    )

    assert answer.returncode == 0, answer.stderr
    assert scalar(lakehouse, "SELECT count(*) FROM sales") == 11
    assert scalar(lakehouse, "SELECT count(*) FROM timeclock") == 2
    assert derive_lag(lakehouse).caught_up
