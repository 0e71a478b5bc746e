"""The ingest's MQTT 5 session (paho-mqtt 2): a shared, persistent subscription with manual acks.

- Shared subscription `$share/aiwebpos-ingest/…/events/#`: the broker spreads messages over every ingest
  process of the group.
- Persistent session (clean_start False, a session expiry): what arrives while this process is down is
  queued by the broker for this client id and delivered when it comes back.
- `manual_ack`: paho does not acknowledge on receipt; we `ack` a message only once the lakehouse commit
  holding it is done. Until then the broker keeps it and delivers it again after a reconnect.
- Receive Maximum: how many unacknowledged messages the broker may send us at once; it must exceed a
  batch, or a batch could never fill.

The client is paho's, read in large chunks with a batch's PUBACKs sent as one write
(`batching_client.py`). paho's network thread puts each message on a queue; the ingest's thread takes batches from it. Every
disconnection and every connection starts a new *generation*: after a reconnect the broker sends the
unacknowledged messages again, so messages of an older generation are never acknowledged (their packet
ids belong to a dead connection) — their new copies will be, once stored (again: idempotently).
"""

import logging
import queue
import ssl
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from paho.mqtt.subscribeoptions import SubscribeOptions

from aiwebpos_cloud.ingest import batching_client
from aiwebpos_cloud.settings import SHARE_GROUP, IngestSettings
from aiwebpos_contracts.topics import ALL_EVENTS

log = logging.getLogger(__name__)

SUBSCRIPTION = f"$share/{SHARE_GROUP}/{ALL_EVENTS}"


@dataclass(frozen=True)
class ReceivedMessage:
    generation: int
    mid: int
    qos: int
    topic: str
    payload: bytes
    received_at: datetime


class BrokerConnection:
    def __init__(self, settings: IngestSettings) -> None:
        self.settings = settings
        self.messages: queue.Queue[ReceivedMessage] = queue.Queue()
        self.connected = threading.Event()
        self._generation = 0
        self._lock = threading.Lock()  # orders acks against reconnects
        self._client = self._make_client()

    def _make_client(self) -> mqtt.Client:
        make = batching_client.BatchingClient if batching_client.supported() else mqtt.Client
        if make is mqtt.Client:
            log.warning("this paho-mqtt lacks what BatchingClient needs; using its plain client (slower)")
        client = make(
            CallbackAPIVersion.VERSION2,
            client_id=self.settings.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        broker = self.settings.broker
        if broker.username is not None:
            client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            client.tls_set(ca_certs=self.settings.mqtt_ca_file, cert_reqs=ssl.CERT_REQUIRED)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.on_connect = self._on_connect
        client.on_connect_fail = self._on_connect_fail
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        return client

    def start(self) -> None:
        """Connect in the background (and keep reconnecting); messages arrive on `self.messages`."""
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = self.settings.session_expiry_seconds
        properties.ReceiveMaximum = self.settings.receive_maximum
        broker = self.settings.broker
        self._client.connect_async(
            broker.host,
            broker.port,
            keepalive=self.settings.keepalive_seconds,
            clean_start=False,
            properties=properties,
        )
        self._client.loop_start()

    def stop(self) -> None:
        """Send the acks still queued, then a clean DISCONNECT (the session stays on the broker)."""
        self._client.disconnect()
        self._client.loop_stop()

    def current(self, message: ReceivedMessage) -> bool:
        return message.generation == self._generation

    def ack(self, messages: Sequence[ReceivedMessage]) -> int:
        """Acknowledge the messages of the current connection; returns how many were acknowledged."""
        with self._lock:
            current = [m for m in messages if m.generation == self._generation and m.qos > 0]
            one_by_one = current
            if isinstance(self._client, batching_client.BatchingClient):
                self._client.ack_many([m.mid for m in current if m.qos == 1])
                one_by_one = [m for m in current if m.qos != 1]  # QoS 2, never subscribed to
            for message in one_by_one:
                self._client.ack(message.mid, message.qos)
        return len(current)

    def _on_connect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, properties: Any
    ) -> None:
        if reason.is_failure:
            log.error(
                "the broker refused the connection: %s (check the user and password in mqtt_url)", reason
            )
            return
        with self._lock:
            self._generation += 1
        log.info(
            "connected to %s:%s as %s (session kept from before: %s)",
            self.settings.broker.host,
            self.settings.broker.port,
            self.settings.client_id,
            flags.session_present,
        )
        client.subscribe(SUBSCRIPTION, options=SubscribeOptions(qos=1))
        self.connected.set()

    def _on_connect_fail(self, client: mqtt.Client, userdata: Any) -> None:
        broker = self.settings.broker
        log.warning("cannot reach the broker at %s:%s; trying again", broker.host, broker.port)

    def _on_subscribe(
        self, client: mqtt.Client, userdata: Any, mid: int, reasons: list[ReasonCode], properties: Any
    ) -> None:
        refused = [reason for reason in reasons if reason.is_failure]
        if refused:
            log.error(
                "the broker refused the subscription to %s: %s (check the ACL)", SUBSCRIPTION, refused[0]
            )
        else:
            log.info("subscribed to %s", SUBSCRIPTION)

    def _on_disconnect(
        self, client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, properties: Any
    ) -> None:
        self.connected.clear()
        with self._lock:  # what was received on this connection can no longer be acknowledged on it
            self._generation += 1
        if reason.is_failure:
            log.warning("lost the broker (%s); reconnecting", reason)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.messages.put(
            ReceivedMessage(
                generation=self._generation,
                mid=message.mid,
                qos=message.qos,
                topic=message._topic.decode("utf-8", errors="replace"),  # never raise in paho's thread
                payload=bytes(message.payload),
                received_at=datetime.now(UTC),
            )
        )
