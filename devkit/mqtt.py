"""A plain paho client for tests: subscribes, collects what arrives, publishes, and waits for things."""

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from devkit.mosquitto import MosquittoBroker


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    retain: bool


class MqttPeer:
    def __init__(
        self,
        broker: MosquittoBroker,
        user: str,
        topics: list[str] | None = None,
        client_id: str | None = None,
    ) -> None:
        self.messages: list[Received] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id or "", protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(user, broker.users[user])
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self._subscribed.set()
        self.topics = topics or []
        self.client.on_connect = self._on_connect
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = 3600 if client_id else 0
        self.client.connect(
            broker.host, broker.port, keepalive=30, clean_start=client_id is None, properties=properties
        )
        self.client.loop_start()  # reconnects by itself after a broker restart
        if self.topics and not self._subscribed.wait(5):
            raise RuntimeError("subscription not acknowledged")

    def _on_connect(
        self, client: mqtt.Client, userdata: object, flags: object, reason: object, props: object
    ) -> None:
        if self.topics:
            client.subscribe([(topic, 1) for topic in self.topics])

    def _on_message(self, client: mqtt.Client, userdata: object, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append(Received(message.topic, bytes(message.payload), bool(message.retain)))

    def received(self, prefix: str = "") -> list[Received]:
        with self._lock:
            return [m for m in self.messages if m.topic.startswith(prefix)]

    def wait_for(self, done: Callable[[], bool], timeout: float = 20, what: str = "messages") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if done():
                return
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    async def until(self, done: Callable[[], bool], limit: float = 20, what: str = "messages") -> None:
        """wait_for for async tests: the node under test runs on the same event loop, so never block it."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if done():
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> mqtt.MQTTMessageInfo:
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(5)
        return info

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
