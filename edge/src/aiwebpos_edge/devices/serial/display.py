"""A CD5220 pole display that the till can update without ever waiting for it.

`show` only records the newest screen; a writer thread sends it. A screen superseded before it was sent is
never sent (the customer sees the latest, not a slideshow of what the cashier already scanned past), and
after a replug the display, which comes back blank, is sent the current screen again.
"""

import threading

from aiwebpos_edge.devices.config import SerialPortConfig
from aiwebpos_edge.devices.health import HealthBoard
from aiwebpos_edge.devices.serial import cd5220
from aiwebpos_edge.devices.serial.cd5220 import Screen
from aiwebpos_edge.devices.serial.port import RETRY_INTERVAL_S, PortDevice, ReconnectingSerialPort


class PoleDisplay(PortDevice):
    def __init__(
        self,
        name: str,
        terminal_id: str,
        config: SerialPortConfig,
        board: HealthBoard,
        *,
        retry_interval_s: float = RETRY_INTERVAL_S,
    ) -> None:
        self.name = name
        self.terminal_id = terminal_id
        self._retry_interval_s = retry_interval_s
        self._lock = threading.Lock()
        self._screen: Screen | None = None
        self._unsent = False
        self._needs_initialising = False
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._writer: threading.Thread | None = None
        self.port = ReconnectingSerialPort(
            name,
            kind="display",
            terminal_id=terminal_id,
            config=config,
            board=board,
            on_opened=self._reconnected,
            retry_interval_s=retry_interval_s,
        )

    @property
    def screen(self) -> Screen | None:
        """What the display shows, or will as soon as it can."""
        with self._lock:
            return self._screen

    def start(self) -> None:
        if self._writer is not None:
            return
        self._stopping.clear()
        self._writer = threading.Thread(target=self._write_latest, name=f"display-{self.name}", daemon=True)
        self._writer.start()
        self.port.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._writer is not None:
            self._writer.join(5.0)
            self._writer = None
        self.port.stop()

    def show(self, upper: str, lower: str) -> None:
        """Returns at once; any text is fine (it is folded to ASCII and fitted to 20 characters)."""
        with self._lock:
            self._screen = (cd5220.fit(upper), cd5220.fit(lower))
            self._unsent = True
        self._wake.set()

    def _reconnected(self) -> None:
        with self._lock:
            self._needs_initialising = True
            self._unsent = self._screen is not None
        self._wake.set()

    def _write_latest(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._stopping.is_set():
                return
            with self._lock:
                screen, initialise = self._screen, self._needs_initialising
                if not (self._unsent or initialise) or not self.port.connected:
                    continue  # sent when the display (re)connects: `_reconnected` wakes us
                self._unsent = self._needs_initialising = False
            data = (cd5220.INITIALISE if initialise else b"") + (
                cd5220.encode_screen(*screen) if screen else b""
            )
            if not self.port.write(data):
                with self._lock:
                    self._unsent = self._screen is not None
                    self._needs_initialising = self._needs_initialising or initialise
                if self.port.connected:
                    # Timed out on a display that is not taking data: try again soon, not at the next `show`.
                    self._stopping.wait(self._retry_interval_s)
                    self._wake.set()
