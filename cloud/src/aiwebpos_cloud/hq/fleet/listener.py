"""HQ on the broker: every store's retained status and command results in, commands out.

paho runs its network thread; each message is handed to the event loop and stored in its own
transaction. Retained statuses arrive at once on (re)connect, so HQ knows the whole fleet at start.
A command counts as sent when the broker acknowledges it (its PUBACK), not when paho queues it; on every
(re)connect the commands never acknowledged are published again.
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
    def __init__(
        self,
        mqtt_url: str,
        ca_file: str | None,
        on_status: Handler,
        on_result: Handler,
        on_sent: Callable[[str], Awaitable[None]],
        on_connected: Callable[[], Awaitable[None]],
    ) -> None:
        self.target = parse_mqtt_url(mqtt_url)
        self.on_status, self.on_result = on_status, on_result
        self.on_sent, self.on_connected = on_sent, on_connected
        self.pending: dict[int, str] = {}  # paho mid → command_id, until its PUBACK (event loop only)
        # Its own client id per process: several `hq serve` behind a proxy each hear every store.
        client_id = f"aiwebpos-hq-web-{uuid.uuid4().hex[:8]}"
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        if self.target.username is not None:
            self.client.username_pw_set(self.target.username, self.target.password)
        if self.target.tls:
            self.client.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_publish = self._on_publish
        self.client.reconnect_delay_set(1, 30)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.client.connect_async(self.target.host, self.target.port, keepalive=30)
        self.client.loop_start()

    async def stop(self) -> None:
        """Disconnect, then let the handlers already running finish: each holds a database session,
        which must be closed before HQ disposes of its engine."""
        with contextlib.suppress(Exception):
            self.client.disconnect()
        self.client.loop_stop()
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def publish(self, topic: str, payload: bytes, command_id: str) -> None:
        """From the event loop. QoS 1 from paho's queue: sent now, or when the connection is back."""
        info = self.client.publish(topic, payload, qos=1)
        if info.rc in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):  # NO_CONN: queued for the reconnect
            self.pending[info.mid] = command_id
        else:
            log.warning(
                "paho refused command %s (rc %s): it is sent again on the next connect", command_id, info.rc
            )

    def in_flight(self) -> set[str]:
        return set(self.pending.values())

    def _on_publish(self, client: mqtt.Client, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        # The loop looks the mid up: `publish` recorded it there before this callback can be handled.
        if self._loop is not None and not reason.is_failure:
            self._loop.call_soon_threadsafe(self._settle, mid)

    def _settle(self, mid: int) -> None:
        command_id = self.pending.pop(mid, None)
        if command_id is not None:
            self._spawn(self.on_sent(command_id))

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.error("the broker refused HQ's login: %s", reason)
            return
        client.subscribe([(STATUS, 1), (RESULTS, 1)])
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._spawn, self.on_connected())

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
