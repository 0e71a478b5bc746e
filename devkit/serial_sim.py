"""The devices' side of the serial peripherals, on pseudo-terminals, for tests and the demo.

Each simulator owns a pty pair and a stable path: a symlink (like the udev names `/dev/aiwebpos/scanner-T1`)
to the current `/dev/pts/N`. `unplug()` removes the link and closes the pair, so the node's open port fails
the way a pulled USB cable does; `replug()` makes a new pair and points the link at it.
"""

import os
import select
import threading
import time
import tty
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Self

from aiwebpos_edge.devices.serial import toledo8217
from aiwebpos_edge.devices.serial.toledo8217 import ScaleStatus


def wait_until(condition: Callable[[], bool], timeout_s: float = 3.0, what: str = "condition") -> None:
    """Polls `condition` until it holds; AssertionError naming `what` at the deadline."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not reached within {timeout_s} s")
        time.sleep(0.01)


class PtyDevice:
    """A device plugged in at `path`. Subclasses answer what the node sends in `received` (called from the
    device's reader thread)."""

    def __init__(self, directory: Path, name: str) -> None:
        self.path = directory / name
        self._master: int | None = None
        self._slave: int | None = None
        self._reader: threading.Thread | None = None
        self._wake_r, self._wake_w = -1, -1
        self._write_lock = threading.Lock()

    @property
    def plugged(self) -> bool:
        return self._master is not None

    def plug(self) -> None:
        if self._master is not None:
            return
        master, slave = os.openpty()
        # Raw: no echo of what the node sends, no CR/LF translation. The slave stays open here too, or reading
        # the master fails with EIO until the node opens the port.
        tty.setraw(slave)
        self._master, self._slave = master, slave
        self._wake_r, self._wake_w = os.pipe()
        self._reader = threading.Thread(
            target=self._read, args=(master, self._wake_r), name=f"sim-{self.path.name}", daemon=True
        )
        self._reader.start()
        # Re-point the link atomically, as udev does.
        link = self.path.with_name(f".{self.path.name}.new")
        link.unlink(missing_ok=True)
        link.symlink_to(os.ttyname(slave))
        link.replace(self.path)

    def unplug(self) -> None:
        self.path.unlink(missing_ok=True)
        if self._master is None:
            return
        os.write(self._wake_w, b"x")
        if self._reader is not None:
            self._reader.join(5.0)
            self._reader = None
        with self._write_lock:
            for fd in (self._master, self._slave, self._wake_r, self._wake_w):
                if fd is not None:
                    os.close(fd)
            self._master = self._slave = None
            self._wake_r = self._wake_w = -1

    def replug(self) -> None:
        self.unplug()
        self.plug()

    def close(self) -> None:
        self.unplug()

    def __enter__(self) -> Self:
        self.plug()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        """What the device sends the node; lost, like on a real line, while unplugged."""
        with self._write_lock:
            if self._master is not None:
                os.write(self._master, data)

    def received(self, data: bytes) -> None:
        """What the node sent the device (from the reader thread)."""

    def _read(self, master: int, wake: int) -> None:
        while True:
            ready, _, _ = select.select([master, wake], [], [])
            if wake in ready:
                return
            try:
                data = os.read(master, 4096)
            except OSError:  # EIO: the node has not opened the port, or just closed it
                time.sleep(0.01)
                continue
            if data:
                self.received(data)


class ScannerSimulator(PtyDevice):
    def __init__(self, directory: Path, name: str = "scanner-T1") -> None:
        super().__init__(directory, name)

    def scan(self, code: str, suffix: bytes = b"\r") -> None:
        """A scanner's default: the code, then CR."""
        self.send(code.encode("ascii") + suffix)


class ToledoScaleSimulator(PtyDevice):
    """Answers `W` and `Z` the way a Toledo 8217 scale does, from a weight or state the test sets."""

    CAPACITY_KG = Decimal("15")
    # Zero is only captured this close to the calibrated zero (2 % of capacity, a common setting).
    ZERO_CAPTURE_KG = Decimal("0.3")

    def __init__(self, directory: Path, name: str = "scale-T1") -> None:
        super().__init__(directory, name)
        self._lock = threading.Lock()
        self._weight = Decimal("0.000")
        self._net = False
        # Set when the scale cannot give a weight: it answers W with this status instead.
        self._status: ScaleStatus | None = None
        self._raw_answer: bytes | None = None
        self._answering = True
        self.commands: list[str] = []

    def set_weight(self, weight_kg: str, *, net: bool = False) -> None:
        """A steady weight on the platter ("0.000": an empty scale)."""
        with self._lock:
            self._weight, self._net, self._status, self._raw_answer = Decimal(weight_kg), net, None, None

    def set_motion(self) -> None:
        self.set_status(ScaleStatus(motion=True))

    def set_overload(self) -> None:
        self.set_status(ScaleStatus(over_capacity=True))

    def set_under_zero(self) -> None:
        self.set_status(ScaleStatus(under_zero=True))

    def set_status(self, status: ScaleStatus) -> None:
        """Answer W with this status byte rather than a weight."""
        with self._lock:
            self._status, self._raw_answer = status, None

    def set_answer(self, raw: bytes | None) -> None:
        """Answer W with these exact bytes (noise, another protocol); None goes back to normal."""
        with self._lock:
            self._raw_answer = raw

    def set_answering(self, answering: bool) -> None:
        """False: a scale on the line that stays silent (another protocol, another baud rate)."""
        with self._lock:
            self._answering = answering

    def received(self, data: bytes) -> None:
        for byte in data:
            command = chr(byte & 0x7F)
            with self._lock:
                self.commands.append(command)
                answer = self._answer(command)
            if answer:
                self.send(answer)

    def _answer(self, command: str) -> bytes:
        if not self._answering:
            return b""
        if command == "W":
            if self._raw_answer is not None:
                return self._raw_answer
            if self._status is not None:
                return toledo8217.encode_status_reply(self._status)
            return toledo8217.encode_weight_reply(self._weight, net=self._net)
        if command == "Z":
            return toledo8217.encode_status_reply(self._zero())
        return b""

    def _zero(self) -> ScaleStatus:
        """Zero is captured only when the weight is steady, gross, and near the calibrated zero; the answer
        is the status either way."""
        if self._status is not None:
            return self._status
        if self._net or abs(self._weight) > self.ZERO_CAPTURE_KG:
            return ScaleStatus(outside_zero_capture=True, net=self._net)
        self._weight = Decimal("0.000")
        return ScaleStatus(centre_of_zero=True)


class Cd5220Screen:
    """Follows a CD5220 byte stream (ESC @, CLR, ESC Q A/B … CR) to the two lines it leaves on the glass."""

    def __init__(self) -> None:
        self.upper = ""
        self.lower = ""
        self.initialised = 0
        self._pending = bytearray()

    def feed(self, data: bytes) -> None:
        self._pending.extend(data)
        while self._pending:
            consumed = self._step(bytes(self._pending))
            if consumed == 0:
                return  # an incomplete command: wait for the rest
            del self._pending[:consumed]

    def _step(self, data: bytes) -> int:
        if data[:1] == b"\x0c":
            self.upper = self.lower = ""
            return 1
        if data[:1] != b"\x1b":
            return 1  # text outside string mode or an unknown byte: ignored, like a real display in this mode
        if len(data) < 2:
            return 0
        if data[1:2] == b"@":
            self.upper = self.lower = ""
            self.initialised += 1
            return 2
        if data[1:2] == b"Q":
            if len(data) < 3:
                return 0
            end = data.find(b"\r", 3)
            if end < 0:
                return 0
            text = data[3:end].decode("ascii", errors="replace")
            if data[2:3] == b"A":
                self.upper = text
            elif data[2:3] == b"B":
                self.lower = text
            return end + 1
        return 2


class PoleDisplaySimulator(PtyDevice):
    def __init__(self, directory: Path, name: str = "display-T1") -> None:
        super().__init__(directory, name)
        self._changed = threading.Condition()
        self._screen = Cd5220Screen()
        self.raw = bytearray()

    @property
    def lines(self) -> tuple[str, str]:
        with self._changed:
            return self._screen.upper, self._screen.lower

    @property
    def initialised(self) -> int:
        """How many times the node sent ESC @ (once per connection)."""
        with self._changed:
            return self._screen.initialised

    def wait_for(self, upper: str, lower: str, timeout_s: float = 3.0) -> None:
        """Until the display shows exactly these lines (20 characters each, as the node sends them)."""
        with self._changed:
            shown = self._changed.wait_for(
                lambda: (self._screen.upper, self._screen.lower) == (upper, lower), timeout_s
            )
            if not shown:
                raise AssertionError(f"display shows {self.lines!r}, not {(upper, lower)!r}")

    def plug(self) -> None:
        with self._changed:
            # A display that has been unplugged comes back blank (some show a demo text: not blank to us).
            self._screen = Cd5220Screen()
        super().plug()

    def received(self, data: bytes) -> None:
        with self._changed:
            self.raw.extend(data)
            self._screen.feed(data)
            self._changed.notify_all()
