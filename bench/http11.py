"""The cheapest honest load generator: HTTP/1.1 keep-alive over raw asyncio streams, one per till.

httpx costs several hundred microseconds of CPU per request; on a 2-core machine shared with the server
that is CPU the server does not get. This client builds the request bytes itself and reads exactly
Content-Length bytes back (every answer of the node has one), so a request costs tens of microseconds.
"""

import asyncio
import time
from typing import TypeVar

import msgspec

T = TypeVar("T")


class HttpError(RuntimeError):
    pass


class Answer(msgspec.Struct):
    status: int
    body: bytes
    seconds: float  # from the first byte written to the last byte read

    def decode(self, kind: type[T]) -> T:
        return msgspec.json.decode(self.body, type=kind)


_ENCODE = msgspec.json.Encoder()


class Connection:
    """One keep-alive connection; requests on it are sequential, like a till's."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.token: str | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> "Connection":
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()
            self._writer = None

    async def request(self, method: str, path: str, body: object = None) -> Answer:
        if self._reader is None or self._writer is None:
            raise HttpError("the connection is not open")
        payload = b"" if body is None else _ENCODE.encode(body)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
        if self.token:
            head += f"Authorization: Bearer {self.token}\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        started = time.perf_counter()
        self._writer.write(head.encode() + b"\r\n" + payload)
        headers = await self._reader.readuntil(b"\r\n\r\n")
        status = int(headers[9:12])
        at = headers.lower().find(b"\r\ncontent-length:")
        if at < 0:
            raise HttpError(f"{method} {path}: answer without Content-Length: {headers[:200]!r}")
        end = headers.index(b"\r\n", at + 2)
        data = await self._reader.readexactly(int(headers[at + 17 : end]))
        return Answer(status, data, time.perf_counter() - started)

    async def call(self, method: str, path: str, body: object = None, expect: int = 200) -> Answer:
        """A request whose status must be `expect`: anything else stops the benchmark, loudly."""
        answer = await self.request(method, path, body)
        if answer.status != expect:
            raise HttpError(f"{method} {path} answered {answer.status}: {answer.body[:500]!r}")
        return answer
