"""Device events for the tills (scans from serial scanners, device health), fanned out per terminal.

Device threads publish through `publish_threadsafe`; each open till holds a subscription and receives
the events of its terminal (and the ones for every terminal) as server-sent events.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import msgspec

QUEUE_LIMIT = 100  # a till that stopped reading does not make the node hold events without end


class DeviceEvent(msgspec.Struct, kw_only=True):
    type: str  # "scan", "devices"
    terminal_id: str | None = None  # None: for every terminal
    code: str | None = None  # a scan's barcode
    devices: dict[str, object] | None = None


class TerminalHub:
    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: dict[str, set[asyncio.Queue[DeviceEvent]]] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def publish_threadsafe(self, event: DeviceEvent) -> None:
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop is closing: the node is stopping
                self._loop.call_soon_threadsafe(self.publish, event)

    def publish(self, event: DeviceEvent) -> None:
        if event.terminal_id is None:
            targets = [q for queues in self._subscribers.values() for q in queues]
        else:
            targets = list(self._subscribers.get(event.terminal_id, ()))
        for queue in targets:
            if queue.qsize() >= QUEUE_LIMIT:
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()  # the oldest goes: a till far behind wants the latest
            queue.put_nowait(event)

    def listeners(self, terminal_id: str) -> int:
        return len(self._subscribers.get(terminal_id, ()))

    @contextlib.asynccontextmanager
    async def subscribe(self, terminal_id: str) -> AsyncIterator["asyncio.Queue[DeviceEvent]"]:
        queue: asyncio.Queue[DeviceEvent] = asyncio.Queue()
        self._subscribers.setdefault(terminal_id, set()).add(queue)
        try:
            yield queue
        finally:
            self._subscribers[terminal_id].discard(queue)
