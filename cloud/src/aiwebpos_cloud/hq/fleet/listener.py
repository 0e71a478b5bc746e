"""HQ's ear on the broker: every store's retained status (and, later, command results), as aiwebpos-hq.

paho runs its network thread; each message is handed to the event loop and stored in its own
transaction. Retained statuses arrive at once on (re)connect, so HQ knows the whole fleet at start.
"""

import asyncio
import contextlib
import logging
import ssl
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from aiwebpos_contracts.mqtt_url import parse_mqtt_url

log = logging.getLogger("aiwebpos_cloud.hq")
STATUS = "aiwebpos/v1/stores/+/status"
RESULTS = "aiwebpos/v1/stores/+/events/command.result"
Handler = Callable[[str, dict[str, Any]], Awaitable[None]]


class BrokerListener:
    def __init__(self, mqtt_url: str, ca_file: str | None, on_status: Handler, on_result: Handler) -> None:
        self.target = parse_mqtt_url(mqtt_url)
        self.on_status, self.on_result = on_status, on_result
        # Its own client id per process: several `hq serve` behind a proxy each hear every store.
        client_id = f"aiwebpos-hq-web-{uuid.uuid4().hex[:8]}"
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        if self.target.username is not None:
            self.client.username_pw_set(self.target.username, self.target.password)
        if self.target.tls:
            self.client.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(1, 30)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.client.connect_async(self.target.host, self.target.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.client.disconnect()
        self.client.loop_stop()

    def publish(self, topic: str, payload: bytes) -> bool:
        """QoS 1 from paho's queue: sent now, or when the connection is back."""
        return self.client.publish(topic, payload, qos=1).rc == mqtt.MQTT_ERR_SUCCESS

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.error("the broker refused HQ's login: %s", reason)
            return
        client.subscribe([(STATUS, 1), (RESULTS, 1)])

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        parts = message.topic.split("/")
        if self._loop is None or len(parts) < 5 or not message.payload:
            return
        try:
            payload = msgspec.json.decode(message.payload)
        except msgspec.DecodeError:
            log.warning("undecodable message on %s", message.topic)
            return
        if not isinstance(payload, dict):
            return
        if parts[4] == "status":
            self._loop.call_soon_threadsafe(self._spawn, self.on_status(parts[3], payload))
        elif parts[4] == "events" and isinstance(payload.get("payload"), dict):  # a command.result envelope
            self._loop.call_soon_threadsafe(self._spawn, self.on_result(parts[3], payload["payload"]))

    def _spawn(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
