"""Barcode scanners on a serial line (RS-232, or USB in CDC/"virtual COM" mode: both look the same here).

A scanner sends each code followed by CR, LF or CRLF, in reads cut anywhere; `BarcodeFramer` turns that
byte stream back into codes.
"""

import logging
from collections.abc import Callable

from aiwebpos_edge.devices.config import SerialPortConfig
from aiwebpos_edge.devices.health import HealthBoard
from aiwebpos_edge.devices.serial.port import RETRY_INTERVAL_S, PortDevice, ReconnectingSerialPort

log = logging.getLogger(__name__)

TERMINATORS = b"\r\n"
# Longer than any barcode (a GS1-128 is at most 48 characters): a scanner configured without a suffix would
# otherwise grow the buffer forever and glue every code together.
MAX_CODE_BYTES = 256

OnScan = Callable[[str, str], None]  # (terminal_id, code)


class BarcodeFramer:
    """Bytes in, codes out. Not thread-safe: one framer per scanner thread."""

    def __init__(self) -> None:
        self._pending = bytearray()

    def feed(self, data: bytes) -> list[str]:
        codes: list[str] = []
        for byte in data:
            if byte in TERMINATORS:
                code = self._pending.decode("ascii", errors="replace").strip()
                self._pending.clear()
                if code:  # the LF of a CRLF, or a blank line
                    codes.append(code)
            elif len(self._pending) < MAX_CODE_BYTES:
                self._pending.append(byte)
        return codes

    def discard_partial(self) -> None:
        """Forget a code cut short (the cable was pulled mid-scan) so it is not glued to the next one."""
        self._pending.clear()


class SerialScanner(PortDevice):
    """Calls `on_scan(terminal_id, code)` from the scanner's own thread for each code, once, in order."""

    def __init__(
        self,
        name: str,
        terminal_id: str,
        config: SerialPortConfig,
        board: HealthBoard,
        on_scan: OnScan,
        *,
        retry_interval_s: float = RETRY_INTERVAL_S,
    ) -> None:
        self.name = name
        self.terminal_id = terminal_id
        self._on_scan = on_scan
        # Used from the port's thread only (all its hooks run there): no lock.
        self._framer = BarcodeFramer()
        self.port = ReconnectingSerialPort(
            name,
            kind="scanner",
            terminal_id=terminal_id,
            config=config,
            board=board,
            on_opened=self._discard_partial,
            on_bytes=self._received,
            on_closed=self._discard_partial,
            retry_interval_s=retry_interval_s,
        )

    def _received(self, data: bytes) -> None:
        for code in self._framer.feed(data):
            try:
                self._on_scan(self.terminal_id, code)
            except Exception:
                # One failed hand-over must not swallow the codes read with it.
                log.exception("%s: handing over scan %r failed", self.name, code)

    def _discard_partial(self) -> None:
        self._framer.discard_partial()
