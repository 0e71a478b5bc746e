"""`LakehouseWriter` on real Delta tables: each event_id once, whoever writes it and however often."""

import threading
from pathlib import Path

from cloud_factories import Store
from cloud_support import derive, query, scalar
from deltalake import DeltaTable

from aiwebpos_cloud.lakehouse.tables import EVENTS
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter, WriteReport
from aiwebpos_contracts import Envelope


def test_writing_the_same_envelopes_again_stores_nothing_twice(lakehouse: Path) -> None:
    envelopes = list(Store().day(sales=5))
    writer = LakehouseWriter(lakehouse)
    first = writer.write(envelopes)
    again = writer.write(envelopes + envelopes[:3])  # and a batch that holds a copy of its own events

    assert (first.stored, first.duplicates) == (len(envelopes), 0)
    assert (again.stored, again.duplicates) == (0, len(envelopes) + 3)
    assert (first.merges, again.merges) == (1, 1)  # one commit per batch: `events` only
    assert scalar(lakehouse, "SELECT count(*) FROM events") == len(envelopes)
    assert scalar(lakehouse, "SELECT count(*) FROM sale_lines") == 0  # the deriver's job
    derive(lakehouse)
    assert scalar(lakehouse, "SELECT count(*) FROM sale_lines") == 3 * 6


def test_events_are_partitioned_by_store_and_utc_date(lakehouse: Path) -> None:
    LakehouseWriter(lakehouse).write([Store("MSU-01").sale(), Store("TY-02").sale()])

    table = DeltaTable(str(EVENTS.path(lakehouse)))
    assert table.metadata().partition_columns == ["store_id", "date"]
    assert sorted(p["store_id"] for p in table.partitions()) == ["MSU-01", "TY-02"]
    assert query(lakehouse, "SELECT DISTINCT CAST(date AS VARCHAR) AS date FROM events") == [
        {"date": "2026-11-23"}
    ]


def test_two_writers_at_once_with_overlapping_batches_store_each_event_once(lakehouse: Path) -> None:
    store = Store()
    envelopes = [store.sale() for _ in range(1200)]
    batches = [envelopes[i : i + 150] for i in range(0, len(envelopes), 100)]  # each overlaps the next
    reports: dict[str, list[WriteReport]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def write(name: str, mine: list[list[Envelope]]) -> None:
        writer = LakehouseWriter(lakehouse)
        start.wait()
        for batch in mine:
            reports[name].append(writer.write(batch))

    LakehouseWriter(lakehouse).write(envelopes[:1])  # the tables exist before the race
    writers = [
        threading.Thread(target=write, args=("a", batches)),
        threading.Thread(target=write, args=("b", list(reversed(batches)))),
    ]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()

    all_reports = reports["a"] + reports["b"]
    assert sum(report.stored for report in all_reports) == len(envelopes) - 1
    assert scalar(lakehouse, "SELECT count(*) FROM events") == len(envelopes)
    assert scalar(lakehouse, "SELECT count(DISTINCT event_id) FROM events") == len(envelopes)
    derive(lakehouse)
    assert scalar(lakehouse, "SELECT count(*) FROM sales") == len(envelopes)
    assert scalar(lakehouse, "SELECT count(*) FROM sale_lines") == 3 * len(envelopes)
    commits = sum(report.merges for report in all_reports)
    assert sum(report.commit_attempts for report in all_reports) > commits, "the writers never collided"


def test_processes_starting_at_once_create_each_table_once(lakehouse: Path) -> None:
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def first_write() -> None:
        start.wait()
        try:
            LakehouseWriter(lakehouse).write([Store().sale()])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=first_write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert scalar(lakehouse, "SELECT count(*) FROM events") == 4
    derive(lakehouse)
    assert scalar(lakehouse, "SELECT count(*) FROM sales") == 4
