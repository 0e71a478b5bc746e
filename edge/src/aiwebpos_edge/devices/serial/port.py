"""A serial port that survives unplugging: one daemon thread opens the device, reads it, notices when it
goes away and opens it again when it comes back, keeping the HealthBoard up to date.

The thread is the only one that opens, reads and closes the port; other threads only `write`. A cashier
who pulls the scanner's cable and plugs it back in should see the till recover without anyone restarting
the node.
"""

import logging
import os
import threading
from collections.abc import Callable
from typing import Protocol, Self

import serial

from aiwebpos_edge.devices.config import SerialPortConfig
from aiwebpos_edge.devices.health import HealthBoard

log = logging.getLogger(__name__)

RETRY_INTERVAL_S = 0.5
# Reads wait at most this long, so `stop` and a vanished device node are noticed promptly.
READ_TIMEOUT_S = 0.1
# A display or scale that stops draining its input (flow control stuck) must not hang the writer forever.
WRITE_TIMEOUT_S = 1.0


class _Serial(Protocol):
    """The part of pyserial's `Serial` we use (pyserial ships no type hints)."""

    @property
    def in_waiting(self) -> int: ...
    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes) -> int | None: ...
    def cancel_read(self) -> None: ...
    def close(self) -> None: ...


class ReconnectingSerialPort:
    """Hooks, all called from the port's thread: `on_opened()` after each (re)connection, `on_bytes(data)`
    for what the device sends, `on_closed()` when the device went away or the port stops."""

    def __init__(
        self,
        name: str,
        *,
        kind: str,
        terminal_id: str | None,
        config: SerialPortConfig,
        board: HealthBoard,
        on_opened: Callable[[], None] | None = None,
        on_bytes: Callable[[bytes], None] | None = None,
        on_closed: Callable[[], None] | None = None,
        retry_interval_s: float = RETRY_INTERVAL_S,
    ) -> None:
        self.name = name
        self.kind = kind
        self.terminal_id = terminal_id
        self.config = config
        self._board = board
        self._on_opened = on_opened
        self._on_bytes = on_bytes
        self._on_closed = on_closed
        self._retry_interval_s = retry_interval_s
        self._stopping = threading.Event()
        # Guards `_serial` between the port thread (open, close) and writers, and keeps health reports
        # made by users (`report`) from overtaking the port's own "offline".
        self._lock = threading.Lock()
        self._serial: _Serial | None = None
        self._broken = False
        self._thread: threading.Thread | None = None

    @property
    def path(self) -> str:
        return self.config.path

    @property
    def connected(self) -> bool:
        with self._lock:
            return self._serial is not None and not self._broken

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name=f"serial-{self.name}", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Returns once the thread has ended and closed the port (reads time out quickly, so this is prompt)."""
        self._stopping.set()
        with self._lock:
            if self._serial is not None:
                self._serial.cancel_read()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def __enter__(self) -> "ReconnectingSerialPort":
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def write(self, data: bytes) -> bool:
        """Sends `data` whole; False when the device is not connected or the write failed (from any thread)."""
        with self._lock:
            port = self._serial
            if port is None or self._broken:
                return False
            try:
                # No flush (tcdrain): it has no timeout, and write already hands every byte to the driver.
                port.write(data)
                return True
            except serial.SerialTimeoutException:
                log.warning("%s: write timed out after %.1f s", self.name, WRITE_TIMEOUT_S)
                return False
            except OSError as error:
                log.info("%s: %s", self.name, error)
                # Leave the closing to the port thread, which may be inside a read of the same port.
                self._broken = True
                port.cancel_read()
                return False

    def report(self, state: str, detail: str | None = None) -> None:
        """A user's own health verdict while connected (a scale that does not answer): ignored when the port
        is not connected, so it never hides "offline"."""
        with self._lock:
            if self._serial is None or self._broken:
                return
            self._report(connected=True, state=state, detail=detail)

    def _report(self, *, connected: bool, state: str, detail: str | None) -> None:
        self._board.report(
            self.name,
            kind=self.kind,
            connected=connected,
            state=state,
            terminal_id=self.terminal_id,
            detail=detail,
        )

    def _run(self) -> None:
        while not self._stopping.is_set():
            port = self._open()
            if port is None:
                self._stopping.wait(self._retry_interval_s)
                continue
            self._call(self._on_opened)
            lost = self._read_until_lost(port)
            self._close(port)
            if lost is not None:
                self._offline(lost)
            self._call(self._on_closed)
            self._stopping.wait(self._retry_interval_s)

    def _open(self) -> _Serial | None:
        if not os.path.exists(self.path):
            self._offline(f"not connected: {self.path} missing")
            return None
        try:
            port: _Serial = serial.Serial(
                port=self.path,
                baudrate=self.config.baudrate,
                bytesize=self.config.bytesize,
                parity=self.config.parity,
                stopbits=self.config.stopbits,
                timeout=READ_TIMEOUT_S,
                write_timeout=WRITE_TIMEOUT_S,
            )
        except ValueError as error:
            with self._lock:
                self._report(
                    connected=False, state="error", detail=f"wrong serial settings in node.toml: {error}"
                )
            return None
        except OSError as error:  # pyserial's SerialException is an OSError
            self._offline(f"not connected: cannot open {self.path} ({_reason(error)})")
            return None
        with self._lock:
            self._serial = port
            self._broken = False
            self._report(connected=True, state="ok", detail=None)
        log.info("%s: connected on %s", self.name, self.path)
        return port

    def _read_until_lost(self, port: _Serial) -> str | None:
        """Reads until the device goes away (returns why, as the cashier will see it) or the port stops."""
        while not self._stopping.is_set():
            try:
                data = port.read(1)
                if data:
                    data += port.read(port.in_waiting)
            except OSError as error:  # pyserial's SerialException included
                log.info("%s: lost %s: %s", self.name, self.path, error)
                return f"not connected: {self.path} unplugged"
            with self._lock:
                if self._broken:
                    return f"not connected: {self.path} stopped answering"
            if data:
                self._call(self._on_bytes, data)
            elif not os.path.exists(self.path):
                # The device node vanished but the old descriptor keeps timing out quietly.
                return f"not connected: {self.path} missing"
        return None

    def _close(self, port: _Serial) -> None:
        with self._lock:
            self._serial = None
            self._broken = False
        try:
            port.close()
        except OSError as error:
            log.debug("%s: close failed: %s", self.name, error)

    def _offline(self, detail: str) -> None:
        if self._stopping.is_set():
            return
        with self._lock:
            self._report(connected=False, state="offline", detail=detail)

    def _call(self, hook: Callable[..., None] | None, *args: object) -> None:
        # A bug in a hook must not end the thread: the device would then stay dead until a restart.
        if hook is None:
            return
        try:
            hook(*args)
        except Exception:
            log.exception("%s: %s failed", self.name, getattr(hook, "__name__", hook))


def _reason(error: OSError) -> str:
    """The bare reason ("No such file or directory"), not pyserial's "[Errno 2] could not open port ..."."""
    return os.strerror(error.errno) if error.errno else str(error)


class PortDevice:
    """A device that lives on a ReconnectingSerialPort: started, stopped, or used in a `with`."""

    port: ReconnectingSerialPort

    def start(self) -> None:
        self.port.start()

    def stop(self) -> None:
        self.port.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
