"""How bytes reach a printer: USB, serial, the network (raw port 9100) or a device file.

The connection is a URL in node.toml: `usb://04b8:0e15`, `serial:///dev/aiwebpos/printer?baudrate=38400`,
`tcp://10.0.0.50:9100`, `file:///dev/usb/lp0`. USB and serial go through python-escpos's own printer
classes; the network and device files are plain sockets and files (python-escpos's Network leaks a
socket on a refused connection, its File truncates).
"""

import socket
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from escpos.escpos import Escpos

from aiwebpos_edge.devices.printing.profiles import PrinterProfile

IO_TIMEOUT_S = 3.0


class Transport(Protocol):
    reads_back: bool  # can answer status queries

    def send(self, data: bytes) -> None: ...
    def query(self, n: int) -> int | None: ...  # the answer to DLE EOT n, None when none came
    def close(self) -> None: ...


class BadConnection(ValueError):
    """A connection URL that cannot be right (a configuration error, reported at start-up)."""


class EscposTransport:
    reads_back = True

    def __init__(self, printer: Escpos) -> None:
        self.printer = printer
        self.printer.open()

    def send(self, data: bytes) -> None:
        self.printer._raw(data)

    def query(self, n: int) -> int | None:
        try:
            answer = self.printer.query_status(bytes([0x10, 0x04, n]))
        except TimeoutError:
            return None
        return answer[-1] if answer else None

    def close(self) -> None:
        try:
            self.printer.close()
        finally:
            self.printer._device = False  # python-escpos would close it again when collected


class SerialTransport(EscposTransport):
    def query(self, n: int) -> int | None:
        # The answer is one byte: python-escpos reads 16 and so always waits out the timeout.
        self.printer._raw(bytes([0x10, 0x04, n]))
        answer: bytes = self.printer.device.read(1)
        return answer[0] if answer else None


class NetworkTransport:
    """Raw TCP (port 9100): python-escpos's Network leaks its socket when the printer refuses."""

    reads_back = True

    def __init__(self, host: str, port: int) -> None:
        self.sock = socket.create_connection((host, port), timeout=IO_TIMEOUT_S)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def query(self, n: int) -> int | None:
        self.sock.sendall(bytes([0x10, 0x04, n]))
        try:
            answer = self.sock.recv(1)
        except TimeoutError:
            return None
        return answer[0] if answer else None

    def close(self) -> None:
        self.sock.close()


class AppendFileTransport:
    reads_back = False

    def __init__(self, path: str) -> None:
        self.file = open(path, "ab", buffering=0)  # noqa: SIM115 - held open while jobs flow

    def send(self, data: bytes) -> None:
        self.file.write(data)

    def query(self, n: int) -> int | None:
        return None

    def close(self) -> None:
        self.file.close()


def check_connection(url: str) -> None:
    """Raise BadConnection for a URL no printer can be reached by."""
    parts = urlsplit(url)
    if parts.scheme == "tcp" and parts.hostname:
        return
    if parts.scheme in ("serial", "file") and parts.path:
        return
    if parts.scheme == "usb" and len(parts.netloc.split(":")) == 2:
        try:
            [int(x, 16) for x in parts.netloc.split(":")]
            return
        except ValueError:
            pass
    raise BadConnection(
        f"bad printer connection {url!r}: use usb://VID:PID, serial:///dev/…, tcp://HOST:PORT or file:///dev/…"
    )


def open_transport(url: str, profile: PrinterProfile) -> Transport:
    """Connect; raises OSError or python-escpos's DeviceNotFoundError when the printer is not there."""
    check_connection(url)
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    common: dict[str, Any] = {"profile": profile.escpos_profile}
    if parts.scheme == "tcp":
        return NetworkTransport(parts.hostname or "", parts.port or 9100)
    if parts.scheme == "serial":
        from escpos.printer import Serial

        baud = int(query.get("baudrate", "38400"))
        return SerialTransport(Serial(parts.path, baudrate=baud, timeout=IO_TIMEOUT_S, **common))
    if parts.scheme == "usb":
        import usb.core
        from escpos.printer import Usb

        vendor, product = (int(x, 16) for x in parts.netloc.split(":"))
        try:
            return EscposTransport(Usb(vendor, product, timeout=int(IO_TIMEOUT_S * 1000), **common))
        except (usb.core.USBError, usb.core.NoBackendError) as exc:  # no libusb, no permission, gone
            raise OSError(f"USB printer {parts.netloc}: {exc}") from exc
    return AppendFileTransport(parts.path)
