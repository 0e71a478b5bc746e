"""The ingest's paho client (read ahead, many packets per pass, a batch's PUBACKs in one write) against a
real Mosquitto: every message intact and in order, acknowledged exactly as asked, over TLS too."""

import threading
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
from cloud_factories import Store
from cloud_support import IngestProcess, StorePublisher, derive, scalar, wait_until
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from aiwebpos_cloud.ingest import batching_client
from aiwebpos_cloud.ingest.batching_client import BatchingClient
from devkit.fixtures import BROKER_USERS
from devkit.mosquitto import MosquittoBroker
from devkit.tls import make_tls_files

TOPIC = "aiwebpos/v1/stores/MSU-01/events/test"


def test_the_installed_paho_has_what_the_batching_client_needs() -> None:
    assert batching_client.supported(), "paho-mqtt changed: review batching_client.py against it"


class _Subscriber:
    def __init__(self, broker: MosquittoBroker, client_id: str) -> None:
        self.received: list[mqtt.MQTTMessage] = []
        self.client = BatchingClient(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True
        )
        self.client.username_pw_set("aiwebpos-ingest", broker.users["aiwebpos-ingest"])
        subscribed = threading.Event()
        self.client.on_connect = lambda client, *_: client.subscribe(TOPIC, qos=1)
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.on_message = lambda client, userdata, message: self.received.append(message)
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = 3600
        properties.ReceiveMaximum = 5000
        self.client.connect(broker.host, broker.port, clean_start=False, properties=properties)
        self.client.loop_start()
        assert subscribed.wait(10)

    def close(self) -> None:
        self.client.disconnect()  # after the PUBACKs queued before it
        self.client.loop_stop()


def test_messages_of_every_size_arrive_intact_in_order_and_only_the_unacked_come_back(
    broker: MosquittoBroker,
) -> None:
    # Tiny, envelope-sized and large messages, and some larger than one read-ahead chunk.
    sizes = [1, 64, 2048, 9000] * 500 + [BatchingClient.READ_SIZE + 1000] * 3
    payloads = [bytes([i % 251]) * size for i, size in enumerate(sizes)]
    subscriber = _Subscriber(broker, "batching-test")
    publisher = StorePublisher(broker, "MSU-01")
    try:
        infos = [publisher.client.publish(TOPIC, payload, qos=1) for payload in payloads]
        for info in infos:
            info.wait_for_publish(30)
        wait_until(lambda: len(subscriber.received) == len(payloads), what="every message")
        assert [m.payload for m in subscriber.received] == payloads
        acked = [m.mid for m in subscriber.received[:-5]]  # the last five not
        subscriber.client.ack_many(acked)
        # Read off the broker's log, and only then disconnect: a disconnect right after acking can leave
        # acks unread by the broker (seen with paho's own one-at-a-time `ack` just the same).
        wait_until(
            lambda: broker.log().count("Received PUBACK from batching-test") == len(acked),
            what="the broker to take every PUBACK of the one write",
        )
    finally:
        subscriber.close()
        publisher.close()

    again = _Subscriber(broker, "batching-test")  # the same session: the broker sends what was not acked
    try:
        wait_until(lambda: len(again.received) >= 5, what="the unacknowledged messages")
        assert [m.payload for m in again.received] == payloads[-5:]
    finally:
        again.close()


def test_an_ingest_over_tls_stores_every_event_once(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path / "tls")
    broker = MosquittoBroker(tmp_path / "tls-broker", BROKER_USERS, tls=tls)
    broker.start()
    lakehouse = tmp_path / "lakehouse"
    url = f"mqtts://aiwebpos-ingest:{BROKER_USERS['aiwebpos-ingest']}@localhost:{broker.tls_port}"
    ingest = IngestProcess(
        broker,
        lakehouse,
        "ingest-tls",
        tmp_path / "ingest.log",
        AIWEBPOS_MQTT_URL=url,
        AIWEBPOS_MQTT_CA_FILE=str(tls.ca),
        AIWEBPOS_BATCH_SECONDS="0.2",
    )
    publisher: StorePublisher | None = None
    try:
        ingest.start()
        store = Store("MSU-01")
        events = [store.sale() for _ in range(3000)]
        publisher = StorePublisher(broker, "MSU-01")
        publisher.publish(events)
        count: Callable[[], int] = lambda: int(scalar(lakehouse, "SELECT count(*) FROM events"))  # noqa: E731
        wait_until(lambda: count() == 3000, timeout=60, what="every event")
        assert scalar(lakehouse, "SELECT count(DISTINCT event_id) FROM events") == 3000
        assert ingest.terminate() == 0
        assert "stopped: 3000 messages, 3000 events stored, 0 duplicates" in ingest.log()
        derive(lakehouse)
        assert scalar(lakehouse, "SELECT count(*) FROM sales") == 3000
    finally:
        if publisher is not None:
            publisher.close()
        ingest.kill()
        broker.kill()
