"""The customer's pole display: the CD5220 bytes and the lines the till shows (pure), and a display on a
pseudo-terminal that shows the latest screen, never holds the till up, and gets its screen back after a
replug."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_edge.devices.config import SerialPortConfig
from aiwebpos_edge.devices.health import HealthBoard
from aiwebpos_edge.devices.serial import cd5220
from aiwebpos_edge.devices.serial.display import PoleDisplay
from devkit.serial_sim import Cd5220Screen, PoleDisplaySimulator, wait_until

NAME = "display-T1"


def test_a_screen_is_clear_then_both_lines_of_twenty() -> None:
    assert cd5220.encode_screen("Hello", "World") == (
        b"\x0c" + b"\x1bQA" + b"Hello               \r" + b"\x1bQB" + b"World               \r"
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("Lesotho ñ", "Lesotho n           "),
        ("Crème brûlée", "Creme brulee        "),
        ("Maseru – Sunrise “Grocers”", 'Maseru - Sunrise "Gr'),
        ("tab\there\r\n", "tab here            "),
        ("Price €5", "Price E5            "),
        ("Smile 🙂", "Smile ?             "),
        ("", " " * 20),
        ("A" * 25, "A" * 20),
    ],
)
def test_any_text_becomes_exactly_one_line_of_ascii(text: str, line: str) -> None:
    assert cd5220.fit(text) == line


@given(st.text())
def test_a_line_is_always_twenty_printable_ascii_characters(text: str) -> None:
    line = cd5220.fit(text)
    assert len(line) == 20 and line.isascii() and line.isprintable()


def test_what_the_till_shows() -> None:
    assert cd5220.item_screen("Sunlight soap 750g", 1250, 12550) == (
        "Sunlight soap M12.50",
        "TOTAL        M125.50",
    )
    assert cd5220.total_screen(125000) == ("TOTAL               ", "           M1,250.00")
    assert cd5220.change_screen(20000, 450) == ("PAID         M200.00", "CHANGE         M4.50")
    assert cd5220.welcome_screen("Maseru Sunrise") == ("      Welcome       ", "   Maseru Sunrise   ")


@given(name=st.text(), amount=st.integers(min_value=-(10**12), max_value=10**12))
def test_an_amount_is_never_cut_and_a_line_never_overflows(name: str, amount: int) -> None:
    line = cd5220.item_line(name, amount)
    assert len(line) == 20
    assert line.endswith(cd5220.format_maloti(amount))


@given(upper=st.text(), lower=st.text(), cut=st.integers(min_value=0, max_value=60))
def test_a_display_shows_the_lines_it_was_sent(upper: str, lower: str, cut: int) -> None:
    data = cd5220.INITIALISE + cd5220.encode_screen(upper, lower)
    screen = Cd5220Screen()
    screen.feed(data[:cut])
    screen.feed(data[cut:])
    assert (screen.upper, screen.lower) == (cd5220.fit(upper), cd5220.fit(lower))


@pytest.fixture
def board() -> HealthBoard:
    return HealthBoard()


@pytest.fixture
def device(tmp_path: Path) -> Iterator[PoleDisplaySimulator]:
    with PoleDisplaySimulator(tmp_path) as simulator:
        yield simulator


@pytest.fixture
def display(device: PoleDisplaySimulator, board: HealthBoard) -> Iterator[PoleDisplay]:
    config = SerialPortConfig(path=str(device.path))
    with PoleDisplay(NAME, "T1", config, board, retry_interval_s=0.05) as display:
        wait_until(lambda: display.port.connected, what="display connected")
        yield display


def health_state(board: HealthBoard) -> str | None:
    health = board.get(NAME)
    return None if health is None else health.state


def test_the_display_shows_what_the_till_sent(device: PoleDisplaySimulator, display: PoleDisplay) -> None:
    display.show(*cd5220.item_screen("Maize meal 2.5kg", 4599, 4599))
    device.wait_for("Maize meal 2. M45.99", "TOTAL         M45.99")
    assert device.initialised == 1


def test_the_latest_screen_wins(device: PoleDisplaySimulator, display: PoleDisplay) -> None:
    for total in range(1, 201):
        display.show("TOTAL", cd5220.format_maloti(total * 100))
    device.wait_for(cd5220.fit("TOTAL"), cd5220.fit("M200.00"))
    assert display.screen == (cd5220.fit("TOTAL"), cd5220.fit("M200.00"))


def test_showing_never_waits_for_an_unplugged_display(
    device: PoleDisplaySimulator, display: PoleDisplay, board: HealthBoard
) -> None:
    device.unplug()
    wait_until(lambda: health_state(board) == "offline", what="display offline")
    started = time.monotonic()
    for total in range(100):
        display.show("TOTAL", cd5220.format_maloti(total))
    assert time.monotonic() - started < 0.5, "show only records the screen"

    device.replug()
    device.wait_for(cd5220.fit("TOTAL"), cd5220.fit("M0.99"))
    assert health_state(board) == "ok"


def test_after_a_replug_the_display_gets_its_screen_back(
    device: PoleDisplaySimulator, display: PoleDisplay, board: HealthBoard
) -> None:
    welcome = cd5220.welcome_screen("Maseru Sunrise")
    display.show(*welcome)
    device.wait_for(*welcome)

    device.replug()
    device.wait_for(*welcome)
    assert device.initialised == 1, "initialised again on the new connection"
    health = board.get(NAME)
    assert health is not None and health.kind == "display" and health.state == "ok"
