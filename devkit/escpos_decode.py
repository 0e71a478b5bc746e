"""Reads ESC/POS bytes back into what a person would see come out of the printer: tests' eyes.

It knows the commands our receipts use (those python-escpos emits for text styles, QR codes, raster
images, feeds, cuts and the drawer kick) and the real-time status queries (DLE EOT n), and refuses
anything else, so that a stray byte in a receipt fails a test instead of printing garbage in a shop.
"""

from dataclasses import dataclass, field

ESC, GS, DLE, LF, CR = 0x1B, 0x1D, 0x10, 0x0A, 0x0D

# ESC commands with one parameter byte (a mode), and how many bytes each takes in all.
_ESC_SIMPLE = {b"@": 2, b"2": 2, b"!": 3, b"E": 3, b"a": 3, b"t": 3, b"d": 3, b"M": 3, b"-": 3}
_ESC_SIMPLE |= {b"{": 3, b"G": 3, b"3": 3, b"J": 3, b"V": 3, b"p": 5, b"c": 4}
_GS_SIMPLE = {b"!": 3, b"B": 3, b"b": 3, b"H": 3, b"f": 3, b"h": 3, b"w": 3, b"L": 4, b"W": 4}


class Incomplete(Exception):
    """The command continues in bytes not received yet."""


@dataclass
class Line:
    text: str
    align: str = "left"
    bold: bool = False
    large: bool = False


@dataclass
class Page:
    """What came out between two cuts (or up to the end)."""

    lines: list[Line] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    images: int = 0  # raster images (a QR code sent as a picture by printers without native QR)
    drawer_kicks: list[int] = field(default_factory=list)  # the pins kicked
    cut: bool = False

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


@dataclass
class Status:
    """A DLE EOT n real-time status query (the printer must answer one byte)."""

    n: int


class EscposReader:
    """Feed it bytes as they arrive; it returns pages as they are cut and status queries as they come."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._page = Page()
        self._text = bytearray()
        self._align, self._bold, self._large = "left", False, False
        self._qr_data = ""

    def feed(self, data: bytes) -> list[Page | Status]:
        self._buffer += data
        out: list[Page | Status] = []
        while self._buffer:
            try:
                used, item = self._one(bytes(self._buffer))
            except Incomplete:
                break
            del self._buffer[:used]
            if item is not None:
                out.append(item)
        return out

    def flush(self) -> Page | None:
        """The page so far, uncut (end of input)."""
        self._end_line(force=False)
        page, self._page = self._page, Page()
        return page if (page.lines or page.qr_codes or page.images or page.drawer_kicks) else None

    def _one(self, b: bytes) -> tuple[int, Page | Status | None]:
        c = b[0]
        if c == LF:
            self._end_line(force=True)
            return 1, None
        if c == CR:
            return 1, None
        if c == ESC:
            return self._esc(b)
        if c == GS:
            return self._gs(b)
        if c == DLE:
            _need(b, 3)
            if b[1] != 0x04:
                raise ValueError(f"unknown DLE command {b[:3]!r}")
            return 3, Status(n=b[2])
        if c < 0x20:
            raise ValueError(f"unexpected control byte 0x{c:02x} in printer data")
        self._text.append(c)
        return 1, None

    def _esc(self, b: bytes) -> tuple[int, Page | Status | None]:
        _need(b, 2)
        cmd = b[1:2]
        size = _ESC_SIMPLE.get(cmd)
        if size is None:
            raise ValueError(f"unknown ESC command {b[:2]!r}")
        _need(b, size)
        n = b[2] if size > 2 else 0
        if cmd == b"@":
            self._align, self._bold, self._large = "left", False, False
        elif cmd == b"!":
            self._large = bool(n & 0x30)
            self._bold = bool(n & 0x08) or self._bold if n else False
        elif cmd == b"E":
            self._bold = bool(n & 1)
        elif cmd == b"a":
            self._align = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}[n]
        elif cmd == b"d":
            self._end_line(force=False)
        elif cmd == b"p":
            self._page.drawer_kicks.append(2 if n in (0, 48) else 5)
        return size, None

    def _gs(self, b: bytes) -> tuple[int, Page | Status | None]:
        _need(b, 2)
        cmd = b[1:2]
        if cmd == b"V":
            _need(b, 3)
            size = 4 if b[2] in (65, 66) else 3
            _need(b, size)
            self._end_line(force=False)
            self._page.cut = True
            page, self._page = self._page, Page()
            return size, page
        if cmd == b"(":
            _need(b, 5)
            length = b[3] | (b[4] << 8)
            _need(b, 5 + length)
            body = b[5 : 5 + length]
            if b[2:3] == b"k" and body[:3] == b"1P0":
                self._qr_data = body[3:].decode("ascii", "replace")
            elif b[2:3] == b"k" and body[:3] == b"1Q0":
                self._page.qr_codes.append(self._qr_data)
            return 5 + length, None
        if cmd == b"v":
            _need(b, 8)
            width_bytes = b[4] | (b[5] << 8)
            height = b[6] | (b[7] << 8)
            _need(b, 8 + width_bytes * height)
            self._page.images += 1
            return 8 + width_bytes * height, None
        if cmd == b"!":
            _need(b, 3)
            self._large = bool(b[2])
            return 3, None
        simple = _GS_SIMPLE.get(cmd)
        if simple is None:
            raise ValueError(f"unknown GS command {b[:2]!r}")
        _need(b, simple)
        return simple, None

    def _end_line(self, *, force: bool) -> None:
        if self._text or force:
            text = self._text.decode("cp437")
            self._page.lines.append(Line(text=text, align=self._align, bold=self._bold, large=self._large))
            self._text.clear()


def _need(b: bytes, n: int) -> None:
    if len(b) < n:
        raise Incomplete


def decode(data: bytes) -> list[Page]:
    """Every page of a whole byte string (the last one uncut if it was not cut)."""
    reader = EscposReader()
    pages = [item for item in reader.feed(data) if isinstance(item, Page)]
    if reader._buffer:
        raise ValueError(f"printer data ends in the middle of a command: {bytes(reader._buffer)!r}")
    tail = reader.flush()
    return [*pages, tail] if tail else pages
