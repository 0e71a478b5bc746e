"""The Toledo 8217 scale: the protocol as pure functions (bytes from the manual, round trips, noise), and a
scale on a pseudo-terminal that weighs, zeroes, stays silent or is unplugged."""

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_edge.devices.config import ScaleConfig
from aiwebpos_edge.devices.health import HealthBoard
from aiwebpos_edge.devices.serial.scale import SerialScale
from aiwebpos_edge.devices.serial.toledo8217 import (
    ScaleStatus,
    decode_status_byte,
    encode_status_byte,
    encode_status_reply,
    encode_weight_reply,
    parse_answer,
    parse_reply,
    take_reply,
)
from devkit.serial_sim import ToledoScaleSimulator, wait_until

NAME = "scale-T1"


@pytest.mark.parametrize(
    ("answer", "state", "weight_kg"),
    [
        (b"\x0201.250\r", "stable", "1.250"),
        (b"\x0200.750\r", "stable", "0.750"),
        (b"\x0214.995\r", "stable", "14.995"),
        (b"\x0200.000\r", "zero", "0.000"),
        (b"\x0201.250N\r", "stable", "1.250"),
        (b"\x02?A\r", "motion", None),  # 0x41: bit 6 always set, bit 0 in motion
        (b"\x02?B\r", "overload", None),  # bit 1 over capacity
        (b"\x02?C\r", "overload", None),  # over capacity and in motion: the overload matters more
        (b"\x02?D\r", "under_zero", None),  # bit 2 under zero (Odoo's example answer)
        (b"\x02?H\r", "zero_error", None),  # bit 3 outside zero capture range
        (b"\x02?P\r", "zero", "0.000"),  # bit 4 centre of zero
        (b"\x02?\xc1\r", "motion", None),  # the parity bit, when the port is read as 8 bits
        (b"\x82\xb0\xb1.\xb2\xb5\xb0\x8d", "stable", "1.250"),  # every byte with its parity bit
        (b"noise\x0201.250\r", "stable", "1.250"),
        (b"\x02?@\r", "error", None),  # a status with nothing wrong is no weight either
        (b"\x02hello\r", "error", None),
        (b"\x02-1.250\r", "error", None),
        (b"\x0201,250\r", "error", None),
        (b"\x0201.250", "error", None),  # no CR: incomplete
        (b"", "error", None),
    ],
)
def test_answers_read_as_the_manual_says(answer: bytes, state: str, weight_kg: str | None) -> None:
    reading = parse_answer(answer)
    assert (reading.state, reading.weight_kg) == (state, weight_kg)
    assert reading.detail


def test_a_net_weight_says_so() -> None:
    reading = parse_answer(b"\x0201.250N\r")
    assert reading.net and reading.detail == "1.250 kg net"


def test_an_answer_split_across_reads_is_taken_whole() -> None:
    buffer = bytearray(b"\x0201.2")
    assert take_reply(buffer) is None
    buffer.extend(b"50\r\x02?A")
    assert take_reply(buffer) == b"01.250"
    assert take_reply(buffer) is None
    buffer.extend(b"\r")
    assert take_reply(buffer) == b"?A"
    assert buffer == bytearray()


def test_the_simulator_speaks_the_bytes_of_the_manual() -> None:
    assert encode_weight_reply("1.25") == b"\x0201.250\r"
    assert encode_weight_reply("0.75", net=True) == b"\x0200.750N\r"
    assert encode_status_reply(ScaleStatus(motion=True)) == b"\x02?A\r"
    assert encode_status_reply(ScaleStatus(under_zero=True)) == b"\x02?D\r"


WEIGHTS = st.decimals(
    min_value=0, max_value=Decimal("99.999"), places=3, allow_nan=False, allow_infinity=False
)
STATUSES = st.builds(
    ScaleStatus,
    motion=st.booleans(),
    over_capacity=st.booleans(),
    under_zero=st.booleans(),
    outside_zero_capture=st.booleans(),
    centre_of_zero=st.booleans(),
    net=st.booleans(),
)


@given(weight=WEIGHTS, net=st.booleans())
def test_every_weight_survives_the_round_trip(weight: Decimal, net: bool) -> None:
    reading = parse_answer(encode_weight_reply(weight, net=net))
    assert reading.weight_kg == f"{weight:.3f}"
    assert reading.state == ("zero" if weight == 0 else "stable")
    assert reading.net == net


def expected_state(status: ScaleStatus) -> str:
    flags = [
        (status.over_capacity, "overload"),
        (status.under_zero, "under_zero"),
        (status.motion, "motion"),
        (status.outside_zero_capture, "zero_error"),
        (status.centre_of_zero, "zero"),
    ]
    return next((state for flag, state in flags if flag), "error")


@given(STATUSES)
def test_every_status_survives_the_round_trip(status: ScaleStatus) -> None:
    assert decode_status_byte(encode_status_byte(status)) == status
    reading = parse_answer(encode_status_reply(status))
    assert reading.state == expected_state(status)
    assert reading.weight_kg == ("0.000" if reading.state == "zero" else None)


@given(st.binary(max_size=64))
def test_random_bytes_never_raise(data: bytes) -> None:
    assert parse_answer(data).state in {
        "stable",
        "zero",
        "motion",
        "overload",
        "under_zero",
        "zero_error",
        "error",
    }
    buffer = bytearray(data)
    while (body := take_reply(buffer)) is not None:
        parse_reply(body)
    assert len(buffer) <= len(data)


@pytest.fixture
def board() -> HealthBoard:
    return HealthBoard()


@pytest.fixture
def device(tmp_path: Path) -> Iterator[ToledoScaleSimulator]:
    with ToledoScaleSimulator(tmp_path) as simulator:
        yield simulator


@pytest.fixture
def scale(device: ToledoScaleSimulator, board: HealthBoard) -> Iterator[SerialScale]:
    with SerialScale(NAME, "T1", ScaleConfig(path=str(device.path)), board, retry_interval_s=0.05) as scale:
        wait_until(lambda: scale.port.connected, what="scale connected")
        yield scale


def health_state(board: HealthBoard) -> str | None:
    health = board.get(NAME)
    return None if health is None else health.state


def test_the_scale_gives_a_stable_weight(device: ToledoScaleSimulator, scale: SerialScale) -> None:
    device.set_weight("0.750")
    reading = scale.read()
    assert (reading.state, reading.weight_kg, reading.detail) == ("stable", "0.750", "0.750 kg")
    assert device.commands == ["W"]


@pytest.mark.parametrize(
    ("make", "state"),
    [
        (ToledoScaleSimulator.set_motion, "motion"),
        (ToledoScaleSimulator.set_overload, "overload"),
        (ToledoScaleSimulator.set_under_zero, "under_zero"),
        (lambda device: device.set_weight("0.000"), "zero"),
    ],
)
def test_the_scale_says_why_it_gives_no_weight(
    device: ToledoScaleSimulator, scale: SerialScale, make: Callable[[ToledoScaleSimulator], None], state: str
) -> None:
    make(device)
    reading = scale.read()
    assert reading.state == state
    assert reading.weight_kg == ("0.000" if state == "zero" else None)


def test_zeroing_works_on_an_empty_scale_only(device: ToledoScaleSimulator, scale: SerialScale) -> None:
    device.set_weight("0.020")
    assert scale.zero().state == "zero"
    assert scale.read().weight_kg == "0.000"
    device.set_weight("2.500")
    assert scale.zero().state == "zero_error"
    assert scale.read().weight_kg == "2.500"
    assert device.commands == ["Z", "W", "Z", "W"]


def test_an_unplugged_scale_reads_offline_within_its_timeout(
    device: ToledoScaleSimulator, scale: SerialScale, board: HealthBoard
) -> None:
    device.unplug()
    started = time.monotonic()
    reading = scale.read(timeout_s=0.5)
    assert time.monotonic() - started < 0.5 + 0.3
    assert reading.state == "offline" and reading.detail.startswith("not connected")
    wait_until(lambda: health_state(board) == "offline", what="scale offline on the board")

    device.replug()
    device.set_weight("1.000")
    wait_until(lambda: scale.port.connected, what="scale back")
    assert scale.read().weight_kg == "1.000"
    assert health_state(board) == "ok"


def test_a_silent_scale_is_an_error_on_the_board_not_an_exception(
    device: ToledoScaleSimulator, scale: SerialScale, board: HealthBoard
) -> None:
    device.set_answering(False)
    started = time.monotonic()
    assert scale.read(timeout_s=0.2).state == "error"
    assert time.monotonic() - started < 0.2 + 0.4
    health = board.get(NAME)
    assert health is not None and health.connected and health.state == "error"
    assert health.detail is not None and "Toledo 8217" in health.detail

    device.set_answering(True)
    device.set_weight("1.500")
    assert scale.read().weight_kg == "1.500"
    assert health_state(board) == "ok"


def test_a_garbled_answer_is_an_error_reading(device: ToledoScaleSimulator, scale: SerialScale) -> None:
    device.set_answer(b"\x02ABCDEF\r")
    reading = scale.read()
    assert reading.state == "error" and "not understood" in reading.detail


def test_tills_asking_at_once_each_get_an_answer(device: ToledoScaleSimulator, scale: SerialScale) -> None:
    device.set_weight("2.345")
    with ThreadPoolExecutor(max_workers=4) as pool:
        readings = list(pool.map(lambda _: scale.read(), range(8)))
    assert {reading.weight_kg for reading in readings} == {"2.345"}
