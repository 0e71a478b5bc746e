"""Chaos with real parts — Mosquitto, store nodes and ingests as processes, Delta tables on disk — and,
after each, the store's SQLite reconciled against the lakehouse event by event: nothing missing,
nothing doubled."""

import shutil
import time
from pathlib import Path

import msgspec
import paho.mqtt.client as mqtt
from chain_support import Till, wait_reconciled

from aiwebpos_contracts import Envelope, encode_envelope, uuid7
from devkit.chain import Ingest, StoreNode, outbox_events, published_event_ids, sql, wait_derived
from devkit.mosquitto import MosquittoBroker
from devkit.mqtt import MqttPeer


def _node(seeded_store: Path, tmp_path: Path, broker: MosquittoBroker, **settings: str) -> StoreNode:
    data_dir = tmp_path / "MSU-01"
    shutil.copytree(seeded_store, data_dir)
    return StoreNode(data_dir, broker.url("MSU-01"), **settings)


def _ingest(broker: MosquittoBroker, lakehouse: Path, tmp_path: Path, name: str = "ingest-1") -> Ingest:
    """An ingest process, started and subscribed (its persistent session then holds whatever comes)."""
    ingest = Ingest(lakehouse, broker.url("aiwebpos-ingest"), name, tmp_path)
    ingest.start()
    broker.wait_subscribed(name)
    return ingest


def test_a_broker_outage_while_tills_sell_loses_nothing(
    seeded_store: Path, tmp_path: Path, broker: MosquittoBroker, lakehouse: Path
) -> None:
    node, ingest = _node(seeded_store, tmp_path, broker), _ingest(broker, lakehouse, tmp_path)
    node.start()
    try:
        till = Till(node.url)
        till.sell(10)
        broker.stop()
        started = time.monotonic()
        till.sell(15)  # the store keeps selling with no broker at all
        assert time.monotonic() - started < 30
        broker.start()
        till.sell(5)
        result = wait_reconciled(node.data_dir, lakehouse)
        assert result.exact, result
        assert result.stored == len(outbox_events(node.data_dir))
        assert wait_derived(lakehouse)["caught_up"]
        sales = sql(lakehouse, "SELECT receipt_no FROM sales WHERE store_id = 'MSU-01'")
        assert sorted(r["receipt_no"] for r in sales) == sorted(till.receipts)
    finally:
        node.stop()
        ingest.stop()


def test_b_a_store_node_killed_mid_publish_sends_everything_once(
    seeded_store: Path, tmp_path: Path, broker: MosquittoBroker, lakehouse: Path
) -> None:
    # One event in flight at a time and a backlog of ~490 events, so that draining takes long enough to be
    # interrupted: the node marks what was acknowledged every 50 ms and drains ~4 events a millisecond
    # here, so at the first mark about a fifth of the backlog is out (120 sales were too few).
    node, ingest = (
        _node(seeded_store, tmp_path, broker, mqtt_window="1"),
        _ingest(broker, lakehouse, tmp_path),
    )
    broker.stop()
    node.start()
    Till(node.url).sell(400)  # a backlog built while offline
    broker.start()
    try:
        deadline = time.monotonic() + 30
        while not published_event_ids(node.data_dir) and time.monotonic() < deadline:
            time.sleep(0.01)
        node.kill()  # mid-drain: some events acknowledged, some in flight, some not yet sent
        sent = len(published_event_ids(node.data_dir))
        assert 0 < sent < len(outbox_events(node.data_dir)), "killed in the middle of publishing"
        node.start()
        Till(node.url, "T2").sell(5)
        result = wait_reconciled(node.data_dir, lakehouse)
        assert result.exact, result
    finally:
        node.stop()
        ingest.stop()


def test_c_one_of_two_ingests_killed_mid_batch_loses_and_doubles_nothing(
    seeded_store: Path, tmp_path: Path, broker: MosquittoBroker, lakehouse: Path
) -> None:
    node = _node(seeded_store, tmp_path, broker)
    first = _ingest(broker, lakehouse, tmp_path, "ingest-1")
    second = _ingest(broker, lakehouse, tmp_path, "ingest-2")
    node.start()
    till = Till(node.url)
    try:
        till.start()
        time.sleep(3)
        first.kill()  # mid-batch: what it had taken but not acknowledged waits in its session
        time.sleep(2)
        till.stop()
        first.start()  # its supervisor (systemd) brings it back under the same client id
        result = wait_reconciled(node.data_dir, lakehouse)
        assert result.exact, result
        assert len(till.receipts) > 10
    finally:
        till.stop()
        node.stop()
        first.stop()
        second.stop()


def test_d_garbage_and_wrong_schema_go_to_dead_letters_while_sales_flow(
    seeded_store: Path, tmp_path: Path, broker: MosquittoBroker, lakehouse: Path
) -> None:
    node, ingest = _node(seeded_store, tmp_path, broker), _ingest(broker, lakehouse, tmp_path)
    node.start()
    rogue = MqttPeer(broker, "MSU-01")
    try:
        till = Till(node.url)
        till.sell(3)
        rogue.publish("aiwebpos/v1/stores/MSU-01/events/sale.completed", b"\x00\xffnot json")
        wrong = Envelope(
            event_id=str(uuid7()),
            type="sale.completed",
            store_id="MSU-01",
            terminal_id="T9",
            seq=10_000,
            occurred_at="2026-11-23T10:15:00.123Z",
            payload={"receipt": "nope"},
        )
        rogue.publish("aiwebpos/v1/stores/MSU-01/events/sale.completed", encode_envelope(wrong))
        till.sell(3)
        result = wait_reconciled(node.data_dir, lakehouse)
        assert result.exact, result
        dead = sql(lakehouse, "SELECT reason FROM dead_letters")
        assert len(dead) == 2 and all(r["reason"] for r in dead)
    finally:
        rogue.close()
        node.stop()
        ingest.stop()


def test_e_a_store_cannot_publish_under_another_stores_id(
    tmp_path: Path, broker: MosquittoBroker, lakehouse: Path
) -> None:
    ingest = _ingest(broker, lakehouse, tmp_path)
    impostor = MqttPeer(broker, "MSU-01")
    honest = MqttPeer(broker, "TY-02")
    try:
        forged = Envelope(
            event_id=str(uuid7()),
            type="drawer.opened",
            store_id="TY-02",
            terminal_id="T1",
            seq=1,
            occurred_at="2026-11-23T10:15:00.123Z",
            payload={"shift_id": None, "cashier": "x", "reason": "forged", "opened_at": "x"},
        )
        refused = impostor.publish("aiwebpos/v1/stores/TY-02/events/drawer.opened", encode_envelope(forged))
        assert (
            refused.rc == mqtt.MQTT_ERR_SUCCESS
        )  # the PUBACK came back … with a refusal, and nothing passed
        real = msgspec.structs.replace(
            forged, event_id=str(uuid7()), payload={**forged.payload, "reason": "real"}
        )
        honest.publish("aiwebpos/v1/stores/TY-02/events/drawer.opened", encode_envelope(real))
        deadline = time.monotonic() + 30
        rows: list[dict[str, object]] = []
        while time.monotonic() < deadline and not rows:
            rows = sql(lakehouse, "SELECT event_id FROM events WHERE store_id = 'TY-02'")
            time.sleep(0.5)
        assert [r["event_id"] for r in rows] == [real.event_id], "only TY-02's own event is stored"
    finally:
        impostor.close()
        honest.close()
        ingest.stop()
