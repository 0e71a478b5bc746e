"""What the ingest stores and what it keeps as a dead letter, message by message (pure)."""

from datetime import UTC, datetime

import msgspec
import pytest
from cloud_factories import Store

from aiwebpos_cloud.ingest.validate import parse_event_topic, validate_message
from aiwebpos_cloud.lakehouse.rows import DeadLetter
from aiwebpos_contracts import Envelope, encode_envelope

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TOPIC = "aiwebpos/v1/stores/MSU-01/events/sale.completed"


def _sale(**changes: object) -> Envelope:
    return msgspec.structs.replace(Store().sale(), **changes)


def _with_line(**changes: object) -> Envelope:
    sale = _sale()
    payload = msgspec.json.decode(msgspec.json.encode(sale.payload))
    payload["receipt"]["lines"][0].update(changes)
    return msgspec.structs.replace(sale, payload=payload)


def test_a_valid_sale_is_accepted_as_it_was_sent() -> None:
    sale = _sale()
    assert validate_message(TOPIC, encode_envelope(sale), NOW) == sale


@pytest.mark.parametrize(
    ("topic", "payload", "reason"),
    [
        (TOPIC, b"\xff\xfe", "not an event envelope: JSON is malformed"),
        (TOPIC, b'{"v": 1}', "not an event envelope: Object missing required field `event_id`"),
        (TOPIC, encode_envelope(_sale(v=2)), "envelope version 2 is not supported"),
        (
            TOPIC,
            encode_envelope(_sale(store_id="TY-02")),
            "envelope store_id 'TY-02' differs from the topic's",
        ),
        (TOPIC, encode_envelope(_sale(type="sale.cancelled")), "envelope type 'sale.cancelled' differs"),
        (
            "aiwebpos/v1/stores/MSU-01/events/sale.teleported",
            encode_envelope(_sale(type="sale.teleported")),
            "unknown event type 'sale.teleported'",
        ),
        (TOPIC, encode_envelope(_sale(event_id="42")), "event_id '42' is not a UUID"),
        (TOPIC, encode_envelope(_sale(seq=0)), "seq 0 is not a positive 64-bit number"),
        (
            TOPIC,
            encode_envelope(_sale(occurred_at="yesterday")),
            "occurred_at 'yesterday' is not an ISO-8601 time",
        ),
        (
            TOPIC,
            encode_envelope(_sale(payload={"receipt": {"receipt_no": 7}})),
            "sale.completed payload does not match the contract: Expected `str`, got `int` - at `$.receipt.receipt_no`",
        ),
        ("aiwebpos/v1/stores/MSU-01/status", b"{}", "topic 'aiwebpos/v1/stores/MSU-01/status' is not"),
        (TOPIC, encode_envelope(_sale(seq=2**63)), "seq 9223372036854775808 is not a positive 64-bit number"),
        (
            TOPIC,
            encode_envelope(_with_line(quantity=" 1")),
            "sale.completed payload cannot be stored: $.receipt.lines[0].quantity ' 1' is not a decimal number",
        ),
        (
            TOPIC,
            encode_envelope(_with_line(quantity="0.0005")),
            "sale.completed payload cannot be stored: $.receipt.lines[0].quantity '0.0005' has more digits",
        ),
        (
            TOPIC,
            encode_envelope(_with_line(total_cents=2**64)),
            "sale.completed payload cannot be stored: $.receipt.lines[0].total_cents = 18446744073709551616 does",
        ),
    ],
)
def test_a_bad_message_becomes_a_dead_letter_with_its_reason(topic: str, payload: bytes, reason: str) -> None:
    letter = validate_message(topic, payload, NOW)
    assert isinstance(letter, DeadLetter)
    assert letter.reason.startswith(reason), letter.reason
    assert (letter.topic, letter.payload, letter.received_at) == (topic, payload, NOW)


def test_a_dead_letter_keeps_the_store_and_event_it_names() -> None:
    sale = _sale(seq=-1)
    letter = validate_message(TOPIC, encode_envelope(sale), NOW)
    assert isinstance(letter, DeadLetter)
    assert (letter.store_id, letter.event_id) == ("MSU-01", sale.event_id)


def test_the_same_bad_message_has_the_same_dead_letter_id() -> None:
    first = validate_message(TOPIC, b"garbage", NOW)
    again = validate_message(TOPIC, b"garbage", datetime(2026, 11, 24, tzinfo=UTC))
    other = validate_message(TOPIC, b"other garbage", NOW)
    assert isinstance(first, DeadLetter) and isinstance(again, DeadLetter) and isinstance(other, DeadLetter)
    assert first.dead_letter_id == again.dead_letter_id != other.dead_letter_id


@pytest.mark.parametrize(
    ("topic", "parsed"),
    [
        ("aiwebpos/v1/stores/MSU-01/events/sale.completed", ("MSU-01", "sale.completed")),
        ("aiwebpos/v1/stores/MSU-01/events/sale.completed/extra", None),
        ("aiwebpos/v1/stores//events/sale.completed", None),
        ("aiwebpos/v2/stores/MSU-01/events/sale.completed", None),
        ("aiwebpos/v1/models/aiwebpos-fraud", None),
    ],
)
def test_event_topics_are_parsed_strictly(topic: str, parsed: tuple[str, str] | None) -> None:
    assert parse_event_topic(topic) == parsed
