"""A Toledo 8217 scale on a reconnecting serial port: ask, wait for the answer, say what it means."""

import threading
import time

from aiwebpos_edge.devices.config import SerialPortConfig
from aiwebpos_edge.devices.health import HealthBoard
from aiwebpos_edge.devices.serial import toledo8217
from aiwebpos_edge.devices.serial.port import RETRY_INTERVAL_S, PortDevice, ReconnectingSerialPort
from aiwebpos_edge.devices.serial.toledo8217 import ScaleReading

# More than any answer, less than a runaway stream from a scale left in continuous-output mode.
MAX_BUFFERED_BYTES = 256
NOT_ANSWERING = "not answering: check it is on and set to the Toledo 8217 protocol"


class SerialScale(PortDevice):
    """`read` and `zero` block (call them with `asyncio.to_thread`) and are safe from any thread."""

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
        self._board = board
        # Answers carry no request id: one question at a time.
        self._asking = threading.Lock()
        self._answers = threading.Condition()
        self._buffer = bytearray()
        # Moves on every disconnection, so a caller waiting for an answer knows it will not come.
        self._connection = 0
        self.port = ReconnectingSerialPort(
            name,
            kind="scale",
            terminal_id=terminal_id,
            config=config,
            board=board,
            on_opened=self._forget_answers,
            on_bytes=self._received,
            on_closed=self._disconnected,
            retry_interval_s=retry_interval_s,
        )

    def read(self, timeout_s: float = 1.0) -> ScaleReading:
        """The weight on the scale, or why there is none; never raises."""
        return self._ask(toledo8217.WEIGHT_REQUEST, timeout_s)

    def zero(self, timeout_s: float = 1.0) -> ScaleReading:
        """Zeroes the empty scale; the reading says whether it worked ("zero") or why not."""
        return self._ask(toledo8217.ZERO_REQUEST, timeout_s)

    def _ask(self, command: bytes, timeout_s: float) -> ScaleReading:
        deadline = time.monotonic() + timeout_s
        if not self._asking.acquire(timeout=timeout_s):
            return toledo8217.no_answer_reading()
        try:
            with self._answers:
                self._buffer.clear()
                connection = self._connection
            if not self.port.write(command):
                return toledo8217.offline_reading(self._offline_detail())
            body = self._wait_for_answer(connection, deadline)
        finally:
            self._asking.release()
        if body is not None:
            self.port.report("ok")
            return toledo8217.parse_reply(body)
        if not self.port.connected:
            return toledo8217.offline_reading(self._offline_detail())
        self.port.report("error", NOT_ANSWERING)
        return toledo8217.no_answer_reading()

    def _wait_for_answer(self, connection: int, deadline: float) -> bytes | None:
        with self._answers:
            while True:
                body = toledo8217.take_reply(self._buffer)
                remaining = deadline - time.monotonic()
                if body is not None or self._connection != connection or remaining <= 0:
                    return body
                self._answers.wait(remaining)

    def _offline_detail(self) -> str:
        health = self._board.get(self.name)
        if health is not None and not health.connected and health.detail:
            return health.detail
        return f"not connected: {self.port.path} unplugged"

    def _received(self, data: bytes) -> None:
        with self._answers:
            self._buffer.extend(data)
            if len(self._buffer) > MAX_BUFFERED_BYTES:
                del self._buffer[:-MAX_BUFFERED_BYTES]
            self._answers.notify_all()

    def _forget_answers(self) -> None:
        with self._answers:
            self._buffer.clear()

    def _disconnected(self) -> None:
        with self._answers:
            self._buffer.clear()
            self._connection += 1
            self._answers.notify_all()
