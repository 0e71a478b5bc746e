"""The ingest as a real process against a real Mosquitto: nothing lost, nothing doubled, bad input kept."""

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
from cloud_factories import Store
from cloud_support import IngestProcess, StorePublisher, query, scalar, wait_derived, wait_until

from aiwebpos_cloud.lakehouse.deriver import derive_lag
from aiwebpos_contracts import Envelope, encode_envelope
from aiwebpos_contracts.topics import event_topic
from devkit.mosquitto import MosquittoBroker

FAST = {"AIWEBPOS_BATCH_SIZE": "200", "AIWEBPOS_BATCH_SECONDS": "0.2"}


def _count(lakehouse: Path, table: str) -> int:
    return int(scalar(lakehouse, f"SELECT count(*) FROM {table}"))


def test_published_events_are_stored_once_in_events_and_in_the_derived_tables(
    lakehouse: Path,
    ingest_process: Callable[..., IngestProcess],
    store_publisher: Callable[[str], StorePublisher],
) -> None:
    ingest_process(**FAST).start()
    maseru, teyateyaneng = Store("MSU-01"), Store("TY-02", terminal_id="T2")
    maseru_events, ty_events = list(maseru.day(sales=30)), list(teyateyaneng.day(sales=10))
    store_publisher("MSU-01").publish(maseru_events)
    store_publisher("TY-02").publish(ty_events)
    # A store that lost a PUBACK publishes the same envelopes again: they must not be stored twice.
    store_publisher("MSU-01").publish(maseru_events[:12])
    everything = maseru_events + ty_events

    wait_until(lambda: _count(lakehouse, "events") == len(everything), what="every event")
    wait_derived(lakehouse)
    stored = query(lakehouse, "SELECT event_id, type, store_id, seq, payload FROM events")
    assert sorted(row["event_id"] for row in stored) == sorted(e.event_id for e in everything)
    by_id = {row["event_id"]: row for row in stored}
    original = everything[5]
    assert msgspec.json.decode(by_id[original.event_id]["payload"]) == original.payload

    sales = [e for e in everything if e.type == "sale.completed"]
    assert _count(lakehouse, "sales") == len(sales) == 42
    assert _count(lakehouse, "sale_lines") == 3 * len(sales)
    assert _count(lakehouse, "payments") == 2 * len(sales) + 2  # two tenders per sale, a refund per return
    assert _count(lakehouse, "returns") == 2
    totals = query(
        lakehouse, "SELECT store_id, sum(total_cents) AS total FROM sales GROUP BY store_id ORDER BY 1"
    )
    assert totals == [
        {"store_id": "MSU-01", "total": sum(e.payload["receipt"]["total_cents"] for e in sales[:31])},
        {"store_id": "TY-02", "total": sum(e.payload["receipt"]["total_cents"] for e in sales[31:])},
    ]
    assert query(lakehouse, "SELECT status, count(*) AS n FROM shifts GROUP BY status") == [
        {"status": "closed", "n": 2}
    ]
    assert _count(lakehouse, "dead_letters") == 0


def test_garbage_and_wrong_schema_land_in_dead_letters_while_good_events_keep_flowing(
    lakehouse: Path,
    ingest_process: Callable[..., IngestProcess],
    store_publisher: Callable[[str], StorePublisher],
) -> None:
    ingest = ingest_process(**FAST).start()
    store = Store("MSU-01")
    publisher = store_publisher("MSU-01")
    before, after = [store.sale() for _ in range(20)], [store.sale() for _ in range(20)]
    publisher.publish(before)
    sale_topic = event_topic("MSU-01", "sale.completed")
    publisher.publish_raw(sale_topic, b"\x00\xffnot json at all")
    wrong_schema = msgspec.structs.replace(store.sale(), payload={"receipt": "a string, not a receipt"})
    publisher.publish_raw(sale_topic, encode_envelope(wrong_schema))
    other_store = msgspec.structs.replace(store.sale(), store_id="TY-02")
    publisher.publish_raw(sale_topic, encode_envelope(other_store))
    publisher.publish(after)

    wait_until(
        lambda: _count(lakehouse, "dead_letters") == 3 and _count(lakehouse, "sales") == 40, what="all"
    )
    letters = query(
        lakehouse, "SELECT payload_encoding, reason, event_id FROM dead_letters ORDER BY received_at"
    )
    reasons = sorted(letter["reason"] for letter in letters)
    assert reasons[0].startswith("envelope store_id 'TY-02' differs from the topic's store 'MSU-01'")
    assert reasons[1].startswith("not an event envelope: JSON is malformed")
    assert reasons[2].startswith("sale.completed payload does not match the contract")
    assert {letter["event_id"] for letter in letters} >= {wrong_schema.event_id, other_store.event_id}
    assert _count(lakehouse, "events") == 40
    assert "dead letter on aiwebpos/v1/stores/MSU-01/events/sale.completed" in ingest.log()


def test_a_seq_gap_shows_in_seq_gaps_and_in_the_log(
    lakehouse: Path,
    ingest_process: Callable[..., IngestProcess],
    store_publisher: Callable[[str], StorePublisher],
) -> None:
    ingest = ingest_process(AIWEBPOS_GAP_CHECK_SECONDS="0.5", **FAST).start()
    store = Store("MSU-01")
    events = [store.sale() for _ in range(20)]
    lost = events[10:13]  # seq 11, 12 and 13 never reach the broker
    store_publisher("MSU-01").publish(events[:10] + events[13:])

    wait_until(lambda: _count(lakehouse, "events") == 17, what="the events")
    assert query(lakehouse, "SELECT * FROM seq_gaps") == [
        {"store_id": "MSU-01", "first_missing": 11, "last_missing": 13, "missing": 3}
    ]
    wait_until(
        lambda: "store MSU-01 is missing seq 11–13 (3 events)" in ingest.log(), what="the gap's log line"
    )

    store_publisher("MSU-01").publish(lost)  # late, not lost: the gap closes
    wait_until(lambda: _count(lakehouse, "events") == 20, what="the late events")
    assert query(lakehouse, "SELECT * FROM seq_gaps") == []
    wait_until(lambda: "seq gap filled: store MSU-01" in ingest.log(), what="the filled gap's log line")


def test_events_published_while_the_ingest_is_down_arrive_when_it_is_back(
    lakehouse: Path,
    ingest_process: Callable[..., IngestProcess],
    store_publisher: Callable[[str], StorePublisher],
) -> None:
    ingest = ingest_process(**FAST).start()
    store = Store("MSU-01")
    publisher = store_publisher("MSU-01")
    publisher.publish([store.sale() for _ in range(50)])
    wait_until(lambda: _count(lakehouse, "events") == 50, what="the first events")

    assert ingest.terminate() == 0  # SIGTERM: flush, acknowledge, derive, disconnect; the session stays
    assert "stopped: 50 messages, 50 events stored" in ingest.log()
    assert derive_lag(lakehouse).caught_up and _count(lakehouse, "sales") == 50
    publisher.publish([store.sale() for _ in range(150)])  # queued by the broker for the ingest's session
    time.sleep(0.5)
    assert _count(lakehouse, "events") == 50

    restarted_at = len(ingest.log())
    ingest.start()
    wait_until(lambda: _count(lakehouse, "sales") == 200, what="the queued events")
    assert scalar(lakehouse, "SELECT count(DISTINCT event_id) FROM events") == 200
    # The clean stop acknowledged all it had stored: nothing came back a second time.
    assert set(re.findall(r"(\d+) duplicates", ingest.log()[restarted_at:])) == {"0"}


def test_killing_one_of_two_ingest_processes_mid_stream_loses_and_doubles_nothing(
    lakehouse: Path,
    ingest_process: Callable[..., IngestProcess],
    store_publisher: Callable[[str], StorePublisher],
) -> None:
    first = ingest_process("ingest-a", **FAST).start()
    second = ingest_process("ingest-b", **FAST).start()
    streams = {"MSU-01": Store("MSU-01"), "TY-02": Store("TY-02")}
    published: dict[str, Envelope] = {}

    def sell(store_id: str) -> None:
        publisher = store_publisher(store_id)
        for _ in range(15):
            chunk = [streams[store_id].sale() for _ in range(100)]
            published.update((e.event_id, e) for e in chunk)
            publisher.publish(chunk)
            time.sleep(0.05)

    sellers = [threading.Thread(target=sell, args=(store_id,)) for store_id in streams]
    for seller in sellers:
        seller.start()
    wait_until(lambda: _count(lakehouse, "events") >= 600, what="the stream to be under way")
    first.kill()  # SIGKILL mid-stream: whatever it had received but not committed is unacknowledged
    killed_at = _count(lakehouse, "events")
    for seller in sellers:
        seller.join()
    assert killed_at < len(published)
    time.sleep(1)
    first.start()  # back with its client id: the broker delivers what it had queued for it

    wait_until(lambda: _count(lakehouse, "events") == 3000, timeout=60, what="every event")
    wait_derived(lakehouse)
    ids = [row["event_id"] for row in query(lakehouse, "SELECT event_id FROM events")]
    assert len(ids) == len(set(ids)) == 3000
    assert set(ids) == set(published)
    assert _count(lakehouse, "sales") == 3000
    assert _count(lakehouse, "sale_lines") == 3 * 3000
    assert (
        scalar(lakehouse, "SELECT count(*) FROM (SELECT DISTINCT event_id, line_id FROM sale_lines)") == 9000
    )
    assert query(lakehouse, "SELECT * FROM seq_gaps") == []
    assert "batch of" in second.log()


def test_a_broker_restart_mid_stream_loses_and_doubles_nothing(
    broker: MosquittoBroker,
    lakehouse: Path,
    ingest_process: Callable[..., IngestProcess],
    store_publisher: Callable[[str], StorePublisher],
) -> None:
    ingest = ingest_process(**FAST).start()
    store = Store("MSU-01")
    publisher = store_publisher("MSU-01")
    before = [store.sale() for _ in range(600)]
    publisher.publish(before)
    wait_until(lambda: _count(lakehouse, "events") > 0, what="the first batch")
    broker.stop()  # persists the ingest's session and what was queued or in flight for it
    broker.start()
    wait_until(lambda: ingest.log().count("subscribed to") == 2, what="the ingest to reconnect")
    after = [store.sale() for _ in range(100)]
    store_publisher("MSU-01").publish(after)

    wait_until(lambda: _count(lakehouse, "sales") == 700, what="every event")
    ids = [row["event_id"] for row in query(lakehouse, "SELECT event_id FROM events")]
    assert sorted(ids) == sorted(e.event_id for e in before + after)
