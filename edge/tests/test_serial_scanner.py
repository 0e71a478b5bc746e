"""Serial barcode scanners: codes framed from any split of the byte stream, and a scanner that recovers from
being unplugged. The device side is a pseudo-terminal (devkit.serial_sim)."""

import threading
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_edge.devices.config import SerialPortConfig
from aiwebpos_edge.devices.health import HealthBoard
from aiwebpos_edge.devices.serial.scanner import BarcodeFramer, SerialScanner
from devkit.serial_sim import ScannerSimulator, wait_until

NAME = "scanner-T1"


class Scans:
    """What the till received, thread-safe (the scanner calls from its own thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: list[tuple[str, str]] = []

    def __call__(self, terminal_id: str, code: str) -> None:
        with self._lock:
            self._codes.append((terminal_id, code))

    @property
    def received(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._codes)

    @property
    def codes(self) -> list[str]:
        return [code for _, code in self.received]

    def wait_for(self, last: str) -> list[str]:
        wait_until(lambda: last in self.codes, what=f"scan {last!r}")
        return self.codes


def health_state(board: HealthBoard, name: str = NAME) -> str | None:
    health = board.get(name)
    return None if health is None else health.state


@pytest.fixture
def board() -> HealthBoard:
    return HealthBoard()


@pytest.fixture
def device(tmp_path: Path) -> Iterator[ScannerSimulator]:
    with ScannerSimulator(tmp_path) as simulator:
        yield simulator


@pytest.fixture
def scans() -> Scans:
    return Scans()


@pytest.fixture
def scanner(device: ScannerSimulator, board: HealthBoard, scans: Scans) -> Iterator[SerialScanner]:
    config = SerialPortConfig(path=str(device.path))
    with SerialScanner(NAME, "T1", config, board, scans, retry_interval_s=0.05) as scanner:
        wait_until(lambda: health_state(board) == "ok", what="scanner connected")
        yield scanner


@pytest.mark.parametrize(
    ("chunks", "codes"),
    [
        ([b"6001234567890\r"], ["6001234567890"]),
        ([b"6001234567890\n"], ["6001234567890"]),
        ([b"6001234567890\r\n"], ["6001234567890"]),
        ([b"600123", b"4567890", b"\r"], ["6001234567890"]),
        ([b"600\r", b"\n601\r\n"], ["600", "601"]),
        ([b"111\r222\n333\r\n"], ["111", "222", "333"]),
        ([b"  4711 \t\r"], ["4711"]),
        ([b"\r\n\r\n", b"\n"], []),
        ([b"12345"], []),
    ],
)
def test_the_framer_finds_each_code_once(chunks: list[bytes], codes: list[str]) -> None:
    framer = BarcodeFramer()
    assert [code for chunk in chunks for code in framer.feed(chunk)] == codes


def test_a_partial_code_is_dropped_not_glued_to_the_next() -> None:
    framer = BarcodeFramer()
    assert framer.feed(b"60012") == []
    framer.discard_partial()
    assert framer.feed(b"4711\r") == ["4711"]


CODE = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-./+%$", min_size=1, max_size=48)
TERMINATOR = st.sampled_from([b"\r", b"\n", b"\r\n"])


@given(
    scanned=st.lists(st.tuples(CODE, TERMINATOR), max_size=20),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=10),
)
def test_any_split_of_the_stream_gives_the_same_codes(
    scanned: list[tuple[str, bytes]], cuts: list[int]
) -> None:
    stream = b"".join(code.encode() + terminator for code, terminator in scanned)
    bounds = sorted({0, len(stream), *(cut % (len(stream) + 1) for cut in cuts)})
    framer = BarcodeFramer()
    found = [code for start, end in pairwise(bounds) for code in framer.feed(stream[start:end])]
    assert found == [code for code, _ in scanned]


@given(st.binary(max_size=600))
def test_random_bytes_never_break_the_framer(data: bytes) -> None:
    codes = BarcodeFramer().feed(data)
    assert all(code and code == code.strip() for code in codes)


def test_scanned_codes_reach_the_till_once_and_in_order(
    device: ScannerSimulator, scanner: SerialScanner, scans: Scans
) -> None:
    device.scan("6001234567890")
    device.send(b"5012345678900\r\n")
    device.send(b"40")
    device.send(b"12345\n")
    device.send(b"111\r222\r")
    device.send(b" 333 \r")
    device.scan("END")
    assert scans.wait_for("END") == ["6001234567890", "5012345678900", "4012345", "111", "222", "333", "END"]
    assert {terminal_id for terminal_id, _ in scans.received} == {"T1"}


def test_an_unplugged_scanner_shows_offline_and_scans_again_once_replugged(
    device: ScannerSimulator, scanner: SerialScanner, scans: Scans, board: HealthBoard
) -> None:
    device.scan("111")
    scans.wait_for("111")

    device.unplug()
    wait_until(lambda: health_state(board) == "offline", what="scanner offline")
    health = board.get(NAME)
    assert health is not None and not health.connected and health.kind == "scanner"
    assert health.terminal_id == "T1"
    assert health.detail is not None and health.detail.startswith(f"not connected: {device.path}")

    device.replug()
    wait_until(lambda: health_state(board) == "ok", what="scanner back")
    device.scan("222")
    assert scans.wait_for("222") == ["111", "222"]


def test_a_code_cut_short_by_an_unplug_is_not_glued_to_the_next(
    device: ScannerSimulator, scanner: SerialScanner, scans: Scans, board: HealthBoard
) -> None:
    device.send(b"60012")
    device.unplug()
    wait_until(lambda: health_state(board) == "offline", what="scanner offline")
    device.replug()
    wait_until(lambda: health_state(board) == "ok", what="scanner back")
    device.scan("4711")
    assert scans.wait_for("4711") == ["4711"]


def test_a_scanner_plugged_in_after_the_node_started_is_picked_up(tmp_path: Path, board: HealthBoard) -> None:
    scans = Scans()
    device = ScannerSimulator(tmp_path)
    config = SerialPortConfig(path=str(device.path))
    with SerialScanner(NAME, "T1", config, board, scans, retry_interval_s=0.05), device:
        wait_until(lambda: health_state(board) == "offline", what="scanner reported missing")
        health = board.get(NAME)
        assert health is not None and health.detail == f"not connected: {device.path} missing"
        device.plug()
        wait_until(lambda: health_state(board) == "ok", what="scanner found")
        device.scan("4711")
        assert scans.wait_for("4711") == ["4711"]


def test_a_failing_hand_over_does_not_lose_the_codes_read_with_it(
    device: ScannerSimulator, board: HealthBoard, scans: Scans
) -> None:
    def hand_over(terminal_id: str, code: str) -> None:
        if code == "BAD":
            raise RuntimeError("the till went away")
        scans(terminal_id, code)

    config = SerialPortConfig(path=str(device.path))
    with SerialScanner(NAME, "T1", config, board, hand_over, retry_interval_s=0.05):
        wait_until(lambda: health_state(board) == "ok", what="scanner connected")
        device.send(b"BAD\r4711\r")
        assert scans.wait_for("4711") == ["4711"]


def test_stopping_is_prompt_and_leaves_no_thread(device: ScannerSimulator, board: HealthBoard) -> None:
    scanner = SerialScanner(NAME, "T1", SerialPortConfig(path=str(device.path)), board, Scans())
    scanner.start()
    wait_until(lambda: health_state(board) == "ok", what="scanner connected")
    started = time.monotonic()
    scanner.stop()
    assert time.monotonic() - started < 1.0
    assert not [thread for thread in threading.enumerate() if thread.name == f"serial-{NAME}"]
