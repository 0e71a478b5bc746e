import uuid
from pathlib import Path

import msgspec
import pytest

from aiwebpos_contracts import EVENT_PAYLOADS, Envelope, decode_envelope, encode_envelope, uuid7
from aiwebpos_contracts.ids import uuid7_from
from aiwebpos_contracts.schema import schema_documents
from aiwebpos_contracts.topics import commands_topic, event_topic, model_topic, status_topic

SCHEMAS = Path(__file__).parents[1] / "schemas"
CONTRACT_EVENT_TYPES = {
    "sale.completed",
    "sale.cancelled",
    "return.completed",
    "shift.opened",
    "shift.closed",
    "drawer.opened",
    "stock.moved",
    "timeclock.punched",
    "account.changed",
    "audit.recorded",
    "command.result",
}


def test_every_event_type_of_the_contract_has_a_payload_struct() -> None:
    assert set(EVENT_PAYLOADS) >= CONTRACT_EVENT_TYPES


def test_checked_in_schemas_match_the_structs() -> None:
    for name, text in schema_documents().items():
        path = SCHEMAS / name
        assert path.exists(), f"{name} missing: run `aiwebpos-contracts schemas`"
        assert path.read_text(encoding="utf-8") == text, f"{name} drifted: run `aiwebpos-contracts schemas`"


def test_uuid7_is_version_7_and_sorts_in_creation_order() -> None:
    ids = [uuid7() for _ in range(5000)]
    assert all(i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_uuid7_carries_its_millisecond() -> None:
    assert uuid7(now_ms=4_000_000_000_123).int >> 80 == 4_000_000_000_123


def test_uuid7_from_given_random_fields_is_the_same_every_time() -> None:
    made = uuid7_from(1_700_000_000_000, 0xABC, (1 << 70) | 12345)
    assert made == uuid7_from(1_700_000_000_000, 0xABC, 12345), "bits above the 62 of rand_b are dropped"
    assert made.version == 7 and made.variant == uuid.RFC_4122
    assert made.int >> 80 == 1_700_000_000_000 and (made.int >> 64) & 0xFFF == 0xABC


def test_envelope_round_trips_and_rejects_a_missing_seq() -> None:
    env = Envelope(
        event_id=str(uuid7()),
        type="drawer.opened",
        store_id="MSU-01",
        terminal_id="T1",
        seq=1,
        occurred_at="2026-11-23T10:15:00.123Z",
        payload={"reason": "change for a customer"},
    )
    assert decode_envelope(encode_envelope(env)) == env
    with pytest.raises(msgspec.ValidationError):
        decode_envelope(
            b'{"v":1,"event_id":"x","type":"t","store_id":"s","terminal_id":null,'
            b'"occurred_at":"x","payload":{}}'
        )


def test_topics_follow_the_contract() -> None:
    assert event_topic("MSU-01", "sale.completed") == "aiwebpos/v1/stores/MSU-01/events/sale.completed"
    assert status_topic("MSU-01") == "aiwebpos/v1/stores/MSU-01/status"
    assert commands_topic("MSU-01") == "aiwebpos/v1/stores/MSU-01/commands"
    assert model_topic("aiwebpos-fraud") == "aiwebpos/v1/models/aiwebpos-fraud"
