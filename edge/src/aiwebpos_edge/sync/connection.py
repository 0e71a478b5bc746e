"""The node's MQTT 5 connection: one client id per store, persistent session, Last Will on the status
topic, TLS and username/password from `AIWEBPOS_MQTT_URL`, and reconnection with jittered backoff.

paho runs the socket in a network thread of ours (`client.loop`), not `loop_start`, so that paho never
reconnects on its own: the asyncio supervisor decides when, after a backoff delay. Each connection gets a
fresh paho client: nothing paho queued on a dead connection is resent behind our back (the publisher
starts every session from the outbox itself), and a late callback of an old client is recognised and
ignored.
"""

import asyncio
import logging
import ssl
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from aiwebpos_contracts.mqtt_url import MqttTarget
from aiwebpos_edge.sync.backoff import backoff_delay

log = logging.getLogger("aiwebpos_edge.sync")
SESSION_EXPIRY_S = 7 * 24 * 3600  # the broker keeps the session (and queued commands) for a week offline


class Connection:
    def __init__(
        self,
        target: MqttTarget,
        client_id: str,
        *,
        will_topic: str,
        will_payload: bytes,
        ca_file: str | None = None,
        keepalive_s: int = 15,
    ) -> None:
        """`keepalive_s`: a half-open socket (a broker or link gone silent) is noticed within 1.5 × it."""
        self.target, self.keepalive_s = target, keepalive_s
        self._client_id, self._ca_file, self._will = client_id, ca_file, (will_topic, will_payload)
        self.configure: Callable[[mqtt.Client], None] = lambda client: None  # users add their callbacks
        self.client = self._new_client()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._connected = asyncio.Event()
        self._lost = asyncio.Event()
        self._refused: str | None = None
        self._network: threading.Thread | None = None
        self._stop_network = threading.Event()

    def _new_client(self) -> mqtt.Client:
        client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,  # a command is acknowledged only once applied and committed
        )
        if self.target.username:
            client.username_pw_set(self.target.username, self.target.password)
        if self.target.tls:
            client.tls_set(ca_certs=self._ca_file, tls_version=ssl.PROTOCOL_TLS_CLIENT)
        client.will_set(self._will[0], self._will[1], qos=1, retain=True)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        self.configure(client)
        return client

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if self._loop is None or client is not self.client:
            return
        if reason.is_failure:
            self._refused = str(reason)
            self._loop.call_soon_threadsafe(self._lost.set)
        else:
            self._loop.call_soon_threadsafe(self._connected.set)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if self._loop is not None and client is self.client:
            self._loop.call_soon_threadsafe(self._set_lost)

    def _set_lost(self) -> None:
        self._connected.clear()
        self._lost.set()

    def _run_network(self, client: mqtt.Client) -> None:
        while not self._stop_network.is_set():
            if client.loop(timeout=0.05) != mqtt.MQTT_ERR_SUCCESS:
                if self._loop is not None and client is self.client:
                    self._loop.call_soon_threadsafe(self._set_lost)
                return

    async def _open(self) -> bool:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        self._refused, self._lost = None, asyncio.Event()
        self.client = client = self._new_client()
        try:
            await asyncio.to_thread(
                client.connect,
                self.target.host,
                self.target.port,
                self.keepalive_s,
                clean_start=False,
                properties=properties,
            )
        except (OSError, ssl.SSLError) as exc:
            log.warning("broker %s:%s unreachable: %s", self.target.host, self.target.port, exc)
            _close_socket(client)
            return False
        self._stop_network.clear()
        self._network = threading.Thread(
            target=self._run_network, args=(client,), name="mqtt-network", daemon=True
        )
        self._network.start()
        connected = asyncio.ensure_future(self._connected.wait())
        lost = asyncio.ensure_future(self._lost.wait())
        done, pending = await asyncio.wait({connected, lost}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        if connected in done and self.connected:
            return True
        log.warning("broker refused the connection: %s", self._refused or "no answer")
        await self._close_network()
        return False

    async def _close_network(self) -> None:
        self._stop_network.set()
        if self._network is not None:
            await asyncio.to_thread(self._network.join, 5)
            self._network = None
        _close_socket(self.client)
        self._connected.clear()

    async def run(self, session: Callable[[], Any]) -> None:
        """Connect, run `session()` while connected, and reconnect with backoff, until cancelled."""
        self._loop = asyncio.get_running_loop()
        attempt = 0
        try:
            while True:
                if await self._open():
                    attempt = 0
                    session_task = asyncio.ensure_future(session())
                    await self._lost.wait()
                    session_task.cancel()
                    await asyncio.gather(session_task, return_exceptions=True)
                    await self._close_network()
                    log.warning("connection to the broker lost; selling goes on, events wait in the outbox")
                await asyncio.sleep(backoff_delay(attempt))
                attempt += 1
        finally:
            await self._close_network()

    def disconnect(self) -> None:
        """A clean goodbye (the Last Will is not sent; the caller publishes offline status first)."""
        self.client.disconnect()


def _close_socket(client: mqtt.Client) -> None:
    """The socket of a connection we are done with (paho leaves it open when its loop is not running)."""
    sock = client.socket()
    if sock is not None:
        sock.close()
