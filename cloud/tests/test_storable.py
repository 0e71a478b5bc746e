"""The storability check looks only at the fields that can overflow, and finds every one of them."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from cloud_factories import Store

from aiwebpos_cloud.ingest.storable import storable_problem
from aiwebpos_cloud.ingest.validate import validate_message
from aiwebpos_cloud.lakehouse.rows import DeadLetter
from aiwebpos_contracts import EVENT_PAYLOADS, Envelope, encode_envelope
from aiwebpos_contracts.topics import event_topic

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DECIMAL_FIELDS = {"quantity", "on_hand", "vat_rate", "rate"}


def _day() -> list[Envelope]:
    return list(Store().day(sales=1))


def _leaves(value: Any, path: str = "$") -> Iterator[tuple[str, tuple[str | int, ...], Any]]:
    """(printed path, key path, value) of every int and every decimal string of a decoded payload."""

    def walk(
        node: Any, keys: tuple[str | int, ...], printed: str
    ) -> Iterator[tuple[str, tuple[str | int, ...], Any]]:
        if isinstance(node, dict):
            for key, item in node.items():
                if key in DECIMAL_FIELDS and isinstance(item, str):
                    yield f"{printed}.{key}", (*keys, key), item
                else:
                    yield from walk(item, (*keys, key), f"{printed}.{key}")
        elif isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, (*keys, index), f"{printed}[{index}]")
        elif isinstance(node, int) and not isinstance(node, bool):
            yield printed, keys, node

    yield from walk(value, (), path)


def _replaced(payload: dict[str, Any], keys: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    copy = msgspec.json.decode(msgspec.json.encode(payload))
    node = copy
    for key in keys[:-1]:
        node = node[key]
    node[keys[-1]] = value
    return copy


def _cases() -> Iterator[tuple[Envelope, str, tuple[str | int, ...], bool]]:
    for envelope in _day():
        for printed, keys, value in _leaves(envelope.payload):
            yield envelope, printed, keys, isinstance(value, str)


CASES = list(_cases())


def test_the_day_has_overflowable_fields_of_every_kind() -> None:
    kinds = {(envelope.type, is_decimal) for envelope, _, _, is_decimal in CASES}
    assert {("sale.completed", True), ("sale.completed", False), ("stock.moved", True)} <= kinds
    assert {("shift.closed", False), ("return.completed", True)} <= kinds


@pytest.mark.parametrize(
    ("envelope", "path", "keys", "is_decimal"), CASES, ids=[f"{c[0].type}:{c[1]}" for c in CASES]
)
def test_every_int_and_decimal_field_is_checked(
    envelope: Envelope, path: str, keys: tuple[str | int, ...], is_decimal: bool
) -> None:
    bad: Any = "1234567890123456.5" if is_decimal else -(2**63) - 1
    payload = _replaced(envelope.payload, keys, bad)
    letter = validate_message(
        event_topic(envelope.store_id, envelope.type),
        encode_envelope(msgspec.structs.replace(envelope, payload=payload)),
        NOW,
    )
    assert isinstance(letter, DeadLetter)
    assert letter.reason.startswith(f"{envelope.type} payload cannot be stored: {path} "), letter.reason


@pytest.mark.parametrize("number", [2**63 - 1, -(2**63), 10**18, -(10**18)])
def test_64_bit_integers_at_the_edges_are_stored(number: int) -> None:
    sale = Store().sale()
    payload = _replaced(sale.payload, ("receipt", "lines", 0, "total_cents"), number)
    body = msgspec.convert(payload, EVENT_PAYLOADS["sale.completed"])
    assert storable_problem(body) is None
