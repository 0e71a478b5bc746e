"""Drains the outbox to the broker: in `seq` order, QoS 1, at most `window` messages in flight, and an
event marked sent only when its PUBACK arrives. Selling never waits for any of this.

A crash between PUBACK and the mark only means the event is sent again after the restart; the cloud
stores each `event_id` once. A PUBACK saying "no matching subscribers" (MQTT 5 reason 16: the broker
took the event but nobody will get it — Mosquitto says so after a restart, before the ingest's shared
subscription is back) does not count as sent: the event is published again a little later.
"""

import asyncio
import contextlib
import logging
import threading
import time
from collections import deque
from functools import partial
from importlib.metadata import version
from typing import Any

import msgspec
import paho.mqtt.client as mqtt

from aiwebpos_contracts.status import DeviceHealth, StoreStatus
from aiwebpos_contracts.topics import commands_topic, event_topic, model_topic, status_topic
from aiwebpos_edge.clock import iso
from aiwebpos_edge.node import Node
from aiwebpos_edge.scoring.updater import ModelUpdater
from aiwebpos_edge.sync import outbox
from aiwebpos_edge.sync.commands import CommandInbox
from aiwebpos_edge.sync.connection import Connection

log = logging.getLogger("aiwebpos_edge.sync")
IDLE_POLL_S = 0.1
ACK_FLUSH_S = 0.05
STATUS_EVERY_S = 30.0
STATUS_DEBOUNCE_S = 0.2
UNROUTED_RETRY_S = 1.0
NO_MATCHING_SUBSCRIBERS = 16
READ_AHEAD = 500  # outbox rows read at once: a PUBACK freeing one slot should not cost a read each
MODELS_PREFIX = model_topic("")


class OutboxPublisher:
    def __init__(self, node: Node, connection: Connection, *, window: int = 100) -> None:
        self.node = node
        self.connection = connection
        self.window = window
        self.inflight: dict[int, int] = {}  # paho mid → outbox seq
        self.cursor: int | None = None  # the highest seq handed to paho
        self.acked: list[int] = []
        self.refused: dict[int, str] = {}  # seq → the broker's reason (e.g. not authorised)
        self.rewind_to: int | None = None  # resend from here: events nobody subscribed to yet
        self._rewind_at = 0.0
        self._window_free = asyncio.Event()
        self._ahead: deque[tuple[int, str, str]] = deque()  # read from the outbox, not yet handed to paho
        self._loop: asyncio.AbstractEventLoop | None = None
        # PUBACKs from paho's thread, handed to the loop in one call per burst rather than one per ack
        self._pubacks: list[tuple[mqtt.Client, int, Any]] = []
        self._pubacks_lock = threading.Lock()
        self.commands = CommandInbox(node, connection)
        self.models: ModelUpdater | None = None  # set by start_sync: model releases on this connection
        connection.configure = self._configure
        self._status_due = asyncio.Event()
        # A printer out of paper or a scanner unplugged reaches HQ now, not at the next periodic status
        # (a print queue growing and shrinking is only news in the periodic one).
        self._device_states: dict[str, tuple[bool, str]] = {}
        node.devices.board.subscribe(self._device_changed)

    def _device_changed(self, name: str, health: DeviceHealth) -> None:
        """From a device's thread, or the loop's."""
        state = (health.connected, health.state)
        if self._device_states.get(name) != state:
            self._device_states[name] = state
            self.status_soon()

    def status_soon(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._status_due.set)

    def _configure(self, client: mqtt.Client) -> None:
        client.on_publish = self._on_publish
        client.on_message = self._on_message
        client.max_inflight_messages_set(self.window)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        """paho's network thread: a model release, or else a command."""
        if message.topic.startswith(MODELS_PREFIX):
            # Acknowledged at once: a release is retained, so it comes again on every reconnect anyway.
            if self.models is not None:
                self.models.offer(message.topic, bytes(message.payload))
            client.ack(message.mid, message.qos)
            return
        self.commands.on_message(client, userdata, message)

    @property
    def connected(self) -> bool:
        return self.connection.connected

    def _on_publish(self, client: mqtt.Client, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        """paho's network thread: queue the PUBACK; only the first of a burst wakes the loop."""
        loop = self._loop
        if loop is None:
            return
        with self._pubacks_lock:
            self._pubacks.append((client, mid, reason))
            if len(self._pubacks) > 1:
                return  # the loop has been woken already and will take this one too
        with contextlib.suppress(RuntimeError):  # the loop is closed: the node is stopping
            loop.call_soon_threadsafe(self._settle_pubacks)

    def _settle_pubacks(self) -> None:
        with self._pubacks_lock:
            pubacks, self._pubacks = self._pubacks, []
        for client, mid, reason in pubacks:
            self._settle(client, mid, reason)

    def _settle(self, client: mqtt.Client, mid: int, reason: Any) -> None:
        if client is not self.connection.client:
            return  # an acknowledgement from a connection already gone: its events are sent again
        seq = self.inflight.pop(mid, None)
        if seq is None:
            return
        if reason is not None and reason.value == NO_MATCHING_SUBSCRIBERS:
            self.rewind_to = seq - 1 if self.rewind_to is None else min(self.rewind_to, seq - 1)
            self._rewind_at = time.monotonic() + UNROUTED_RETRY_S
        elif reason is not None and reason.is_failure:
            self.refused[seq] = str(reason)  # stays unsent in the outbox, reported in the status
            log.error("broker refused event seq %s: %s", seq, reason)
        else:
            self.acked.append(seq)
        self._window_free.set()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Before the first connection: a persistent session's queued commands arrive right behind the
        CONNACK, on paho's thread, before `session` runs; with no loop to hand them to they were lost
        until the next reconnect."""
        self._loop = loop
        self.commands.bind(loop)
        if self.models is not None:
            self.models.bind(loop)

    async def session(self) -> None:
        """Runs while connected; cancelled when the connection drops."""
        self.bind(asyncio.get_running_loop())
        self.inflight.clear()  # a new connection: start again from the outbox
        self.cursor, self.rewind_to = None, None
        self.connection.client.subscribe(commands_topic(self.node.store_id), qos=1)
        if self.models is not None:
            self.connection.client.subscribe(model_topic("+"), qos=1)
        await self.publish_status()
        await asyncio.gather(self._pump(), self._flush_acks(), self._status_loop())

    async def _pump(self) -> None:
        client, store_id = self.connection.client, self.node.store_id
        if self.cursor is None:
            self.cursor = await self.node.read(outbox.last_published_seq)
        ahead = self._ahead
        ahead.clear()
        while True:
            # An event nobody received goes again a little later; newer events do not wait for it
            # (a type that no one subscribes to must not stop the others), so it may arrive after them.
            if self.rewind_to is not None and time.monotonic() >= self._rewind_at:
                self.cursor, self.rewind_to = min(self.cursor, self.rewind_to), None
                ahead.clear()  # read again from the rewound cursor
            room = self.window - len(self.inflight)
            if room <= 0:
                self._window_free.clear()
                await self._window_free.wait()
                continue
            if not ahead:
                ahead.extend(
                    await self.node.read(partial(outbox.unpublished, after=self.cursor, limit=READ_AHEAD))
                )
                if not ahead:
                    await asyncio.sleep(IDLE_POLL_S)
                    continue
            in_flight = set(self.inflight.values())
            while room > 0 and ahead:
                seq, event_type, envelope = ahead.popleft()
                self.cursor = max(self.cursor, seq)
                if seq in in_flight:
                    continue  # a rewind met an event still awaiting its PUBACK
                info = client.publish(event_topic(store_id, event_type), envelope, qos=1)
                self.inflight[info.mid] = seq
                room -= 1

    async def _flush_acks(self) -> None:
        while True:
            await asyncio.sleep(ACK_FLUSH_S)
            await self.flush()

    async def flush(self) -> None:
        if not self.acked:
            return
        seqs, self.acked = self.acked, []
        await self.node.write(lambda tx: outbox.mark_published(tx.conn, seqs, tx.at))

    async def _status_loop(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._status_due.wait(), STATUS_EVERY_S)
                await asyncio.sleep(STATUS_DEBOUNCE_S)  # several devices changing at once: one status
            self._status_due.clear()
            await self.publish_status()

    async def status(self, online: bool) -> StoreStatus:
        counts = await self.node.read(outbox.outbox_status)
        return StoreStatus(
            store_id=self.node.store_id,
            online=online,
            at=iso(self.node.clock.now()),
            outbox_pending=counts["outbox_pending"],
            last_seq=counts["last_seq"],
            last_published_seq=counts["last_published_seq"],
            software_version=version("aiwebpos-edge"),
            publish_refused=len(self.refused),
            devices=self.node.device_health(),
            models=self.node.models.versions(),
            model_problems=self.node.models.problems(),
        )

    async def publish_status(self, online: bool = True) -> mqtt.MQTTMessageInfo:
        payload = msgspec.json.encode(await self.status(online))
        return self.connection.client.publish(status_topic(self.node.store_id), payload, qos=1, retain=True)

    async def goodbye(self) -> None:
        """On a clean shutdown: record what was acknowledged, say offline, disconnect."""
        await self.flush()
        if self.connected:
            info = await self.publish_status(online=False)
            await asyncio.to_thread(info.wait_for_publish, 2)
            self.connection.disconnect()


def offline_will(store_id: str) -> bytes:
    return msgspec.json.encode(StoreStatus(store_id=store_id, online=False))
