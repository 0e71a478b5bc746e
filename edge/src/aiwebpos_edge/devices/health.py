"""What each peripheral is doing, shared by the device threads, the till, `GET /devices` and the status message."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec

from aiwebpos_contracts.status import DeviceHealth
from aiwebpos_edge.clock import iso

Listener = Callable[[str, DeviceHealth], None]


def utc_now() -> datetime:
    return datetime.now(UTC)


class HealthBoard:
    """Thread-safe: device threads report, the event loop reads. `since` moves only when the state does."""

    def __init__(self, now: Callable[[], datetime] = utc_now) -> None:
        self._now = now
        self._lock = threading.Lock()
        self._devices: dict[str, DeviceHealth] = {}
        self._listeners: list[Listener] = []

    def report(
        self,
        name: str,
        *,
        kind: str,
        connected: bool,
        state: str,
        terminal_id: str | None = None,
        detail: str | None = None,
        queued_jobs: int | None = None,
    ) -> DeviceHealth:
        with self._lock:
            previous = self._devices.get(name)
            changed = previous is None or (previous.connected, previous.state, previous.detail) != (
                connected,
                state,
                detail,
            )
            since = iso(self._now()) if changed or previous is None else previous.since
            health = DeviceHealth(
                kind=kind,
                terminal_id=terminal_id,
                connected=connected,
                state=state,
                detail=detail,
                since=since,
                queued_jobs=queued_jobs,
            )
            self._devices[name] = health
            listeners = list(self._listeners) if changed or previous != health else []
        for listener in listeners:
            listener(name, health)
        return health

    def snapshot(self) -> dict[str, DeviceHealth]:
        with self._lock:
            return {name: msgspec.structs.replace(h) for name, h in sorted(self._devices.items())}

    def get(self, name: str) -> DeviceHealth | None:
        with self._lock:
            return self._devices.get(name)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Called from the reporting thread on every change; returns the unsubscribe function."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe
