"""A receipt printer on the network (raw TCP, as on port 9100) for tests: it prints what it is sent
into pages a test can read, answers ESC/POS real-time status queries (DLE EOT n) from its state, and
can be switched off, run out of paper or have its cover opened.

While it cannot print (out of paper, cover open) it keeps what it receives in `refused` rather than
printing it, as a real printer stopped on an error does not print: a test can then tell a worker that
checks the status first from one that sends blindly.
"""

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

from devkit.escpos_decode import EscposReader, Page, Status


@dataclass
class PrinterState:
    on: bool = True
    paper: str = "ok"  # "ok", "low", "out"
    cover_open: bool = False

    def status_byte(self, n: int) -> int:
        """Epson ESC/POS DLE EOT answers: bits 1 and 4 always set."""
        byte = 0x12
        if n == 1 and (self.paper == "out" or self.cover_open):
            byte |= 0x08  # offline
        elif n == 2:
            byte |= (0x04 if self.cover_open else 0) | (0x20 if self.paper == "out" else 0)
        elif n == 4:
            byte |= {"ok": 0, "low": 0x0C, "out": 0x6C}[self.paper]
        return byte

    @property
    def can_print(self) -> bool:
        return self.paper != "out" and not self.cover_open


@dataclass
class NetworkPrinterSimulator:
    host: str = "127.0.0.1"
    port: int = 0
    state: PrinterState = field(default_factory=PrinterState)
    pages: list[Page] = field(default_factory=list)
    refused: list[Page] = field(default_factory=list)
    status_queries: int = 0
    transcript: Path | None = None  # each printed page is also appended here as text (the demo's "paper")

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []
        self.switch_on()

    @property
    def url(self) -> str:
        return f"tcp://{self.host}:{self.port}"

    # --- what a person does to the printer ----------------------------------------------------------

    def switch_on(self) -> None:
        server = socket.create_server((self.host, self.port))
        self.port = server.getsockname()[1]
        self._server = server
        self.state.on = True
        thread = threading.Thread(target=self._accept, args=(server,), daemon=True, name="printer-sim")
        thread.start()
        self._threads.append(thread)

    def switch_off(self) -> None:
        """Connections drop and new ones are refused (the port stays the same for switching on)."""
        self.state.on = False
        server, self._server = self._server, None
        if server is not None:
            _close(server)  # shutdown first: closing alone does not wake a thread blocked in accept()
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            _close(conn)

    def set_paper(self, paper: str) -> None:
        self.state.paper = paper

    def set_cover_open(self, cover_open: bool) -> None:
        self.state.cover_open = cover_open

    def close(self) -> None:
        self.switch_off()
        for thread in self._threads:
            thread.join(5)

    def __enter__(self) -> "NetworkPrinterSimulator":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- what a test reads ----------------------------------------------------------------------------

    def wait_for_pages(self, count: int, timeout_s: float = 10.0) -> list[Page]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.pages) >= count, timeout_s):
                raise AssertionError(f"the printer printed {len(self.pages)} pages, expected {count}")
            return list(self.pages)

    # --- the printer's side of the protocol -----------------------------------------------------------

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return  # switched off
            with self._lock:
                self._conns.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True, name="printer-sim-conn")
            thread.start()
            self._threads.append(thread)

    def _serve(self, conn: socket.socket) -> None:
        reader = EscposReader()
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                for item in reader.feed(data):
                    if isinstance(item, Status):
                        with self._lock:
                            self.status_queries += 1
                        try:
                            conn.sendall(bytes([self.state.status_byte(item.n)]))
                        except OSError:
                            return  # the node gave up waiting and hung up (a busy machine): so would a printer
                    else:
                        with self._changed:
                            # A stopped printer still answers status queries, and prints nothing.
                            (self.pages if self.state.can_print else self.refused).append(item)
                            if self.transcript is not None and self.state.can_print:
                                with self.transcript.open("a", encoding="utf-8") as paper:
                                    paper.write(item.text + "\n" + "-" * 20 + " cut " + "-" * 20 + "\n\n")
                            self._changed.notify_all()


def _close(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
    conn.close()
