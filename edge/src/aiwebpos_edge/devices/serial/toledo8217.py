"""The Mettler Toledo 8217 scale protocol (the "8217" or "Toledo" mode of POS scales and scanner-scales), as
pure functions: what to send, and what an answer means.

Implemented from METTLER TOLEDO, "DIVA Service Manual" 72191202 (05/2012), section 6.1.4: "Command
Descriptions" (W, Z) and "Scale Status Byte Bit Definitions"; cross-checked with the `Toledo8217Protocol`
of Odoo's IoT box (odoo/odoo, addons/iot_drivers/iot_handlers/drivers/serial_scale_driver.py), which
cites the same table in the Viva service manual.

Host to scale, one ASCII character, no terminator: `W` asks for the weight, `Z` zeroes the scale.
Scale to host:
- a weight: STX, the weight with its decimal point (kilograms: "01.250", WW.WWW), "N" when net, CR;
- a status, when it cannot give a weight (in motion, below zero, over capacity) and always in answer to
  `Z`: STX, "?", one status byte, CR. Bits: 0 in motion, 1 over capacity, 2 under zero, 3 outside the
  zero capture range, 4 at centre of zero, 5 net weight, 6 always 1, 7 parity.
Characters are 7 data bits with even parity; bit 7 is masked off here in case the port is read as 8 bits.
The weight carries no unit: the scale must be set to kilograms (pounds arrive as "0WW.WW" and cannot be
told apart).
"""

import re
from decimal import Decimal
from typing import Literal

import msgspec

WEIGHT_REQUEST = b"W"
ZERO_REQUEST = b"Z"
STX = 0x02
CR = 0x0D

MOTION = 0x01
OVER_CAPACITY = 0x02
UNDER_ZERO = 0x04
OUTSIDE_ZERO_CAPTURE = 0x08
CENTRE_OF_ZERO = 0x10
NET_WEIGHT = 0x20
ALWAYS_SET = 0x40

MILLIGRAMS = Decimal("0.001")
_WEIGHT = re.compile(rb" *([0-9]{1,6}\.[0-9]{1,4})(N?) *")

ScaleState = Literal["stable", "zero", "motion", "overload", "under_zero", "zero_error", "error", "offline"]


class ScaleReading(msgspec.Struct, frozen=True, kw_only=True):
    """What the till shows. `weight_kg` ("0.750") only when the weight can be sold: stable, or zero."""

    state: ScaleState
    weight_kg: str | None = None
    net: bool = False
    detail: str


class ScaleStatus(msgspec.Struct, frozen=True, kw_only=True):
    """The status byte, bit by bit."""

    motion: bool = False
    over_capacity: bool = False
    under_zero: bool = False
    outside_zero_capture: bool = False
    centre_of_zero: bool = False
    net: bool = False


_FLAGS = (
    ("motion", MOTION),
    ("over_capacity", OVER_CAPACITY),
    ("under_zero", UNDER_ZERO),
    ("outside_zero_capture", OUTSIDE_ZERO_CAPTURE),
    ("centre_of_zero", CENTRE_OF_ZERO),
    ("net", NET_WEIGHT),
)


def encode_status_byte(status: ScaleStatus) -> int:
    return ALWAYS_SET | sum(bit for field, bit in _FLAGS if getattr(status, field))


def decode_status_byte(byte: int) -> ScaleStatus:
    return ScaleStatus(**{field: bool(byte & bit) for field, bit in _FLAGS})


def encode_weight_reply(weight_kg: Decimal | str, *, net: bool = False) -> bytes:
    """The scale's side (for the simulator): "1.25" -> STX "01.250" CR."""
    weight = Decimal(weight_kg).quantize(MILLIGRAMS)
    return bytes([STX]) + f"{weight:06.3f}".encode("ascii") + (b"N" if net else b"") + bytes([CR])


def encode_status_reply(status: ScaleStatus) -> bytes:
    return bytes([STX, ord("?"), encode_status_byte(status), CR])


def take_reply(buffer: bytearray) -> bytes | None:
    """Removes the first complete answer (STX … CR) from `buffer` and returns what is between, parity bits
    cleared; noise before the STX is dropped. None while no answer is complete."""
    clean = bytes(byte & 0x7F for byte in buffer)
    start = clean.find(STX)
    if start < 0:
        buffer.clear()
        return None
    end = clean.find(CR, start + 1)
    if end < 0:
        del buffer[:start]
        return None
    del buffer[: end + 1]
    return clean[start + 1 : end]


def parse_reply(body: bytes) -> ScaleReading:
    """The reading an answer's body (from `take_reply`) stands for. Never raises."""
    if len(body) == 2 and body[:1] == b"?":
        return reading_from_status(decode_status_byte(body[1]))
    match = _WEIGHT.fullmatch(body)
    if match is None:
        return not_understood_reading()
    weight = Decimal(match.group(1).decode("ascii")).quantize(MILLIGRAMS)
    net = bool(match.group(2))
    if weight == 0:
        return zero_reading(net=net)
    return ScaleReading(
        state="stable", weight_kg=str(weight), net=net, detail=f"{weight} kg{' net' if net else ''}"
    )


def parse_answer(data: bytes) -> ScaleReading:
    """The first complete answer in `data`, whatever surrounds it (raw bytes from the port)."""
    body = take_reply(bytearray(data))
    return not_understood_reading() if body is None else parse_reply(body)


def reading_from_status(status: ScaleStatus) -> ScaleReading:
    # The most useful instruction first: an overloaded scale is usually also "in motion".
    if status.over_capacity:
        return ScaleReading(
            state="overload", net=status.net, detail="too heavy for the scale: take the item off"
        )
    if status.under_zero:
        return ScaleReading(
            state="under_zero", net=status.net, detail="below zero: empty the scale and zero it"
        )
    if status.motion:
        return ScaleReading(
            state="motion", net=status.net, detail="weight not steady: wait for the item to settle"
        )
    if status.outside_zero_capture:
        return ScaleReading(
            state="zero_error", net=status.net, detail="cannot zero: empty the scale, then zero it again"
        )
    if status.centre_of_zero:
        return zero_reading(net=status.net)
    return ScaleReading(
        state="error",
        net=status.net,
        detail="the scale gave no weight: try again, and check it is set to the Toledo 8217 protocol",
    )


def zero_reading(*, net: bool = False) -> ScaleReading:
    return ScaleReading(
        state="zero", weight_kg="0.000", net=net, detail="scale at zero: place the item on it"
    )


def not_understood_reading() -> ScaleReading:
    return ScaleReading(
        state="error",
        detail="the scale's answer was not understood: check it is set to the Toledo 8217 protocol",
    )


def no_answer_reading() -> ScaleReading:
    return ScaleReading(
        state="error", detail="the scale did not answer: check it is on and set to the Toledo 8217 protocol"
    )


def offline_reading(detail: str) -> ScaleReading:
    return ScaleReading(state="offline", detail=detail)
