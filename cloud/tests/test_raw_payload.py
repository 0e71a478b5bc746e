"""The ingest decodes a payload once and stores the bytes it validated, not a re-encoded dict."""

from datetime import UTC, datetime

import msgspec
from cloud_factories import Store

from aiwebpos_cloud.ingest.validate import check_message, validate_message
from aiwebpos_cloud.lakehouse.rows import DeadLetter, RawEnvelope, events_table
from aiwebpos_contracts import encode_envelope

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
TOPIC = "aiwebpos/v1/stores/MSU-01/events/sale.completed"


def test_the_events_payload_is_the_json_that_was_sent() -> None:
    sale = Store().sale()
    payload = (
        b'{ "receipt" : ' + msgspec.json.encode(sale.payload["receipt"]) + b', "cashier": "thabo", "new": 1}'
    )
    message = encode_envelope(sale).replace(msgspec.json.encode(sale.payload), payload)
    checked = check_message(TOPIC, message, NOW)
    assert isinstance(checked, RawEnvelope)
    assert bytes(checked.payload) == payload
    assert events_table([checked], NOW).column("payload").to_pylist() == [payload.decode()]
    assert checked.envelope() == validate_message(TOPIC, message, NOW)
    assert checked.envelope().payload == msgspec.json.decode(payload)


def test_raw_and_decoded_envelopes_give_the_same_events_rows() -> None:
    envelopes = list(Store().day(sales=2))
    raw = [
        check_message(f"aiwebpos/v1/stores/MSU-01/events/{e.type}", encode_envelope(e), NOW)
        for e in envelopes
    ]
    assert all(isinstance(envelope, RawEnvelope) for envelope in raw)
    assert events_table(raw, NOW).equals(events_table(envelopes, NOW))  # type: ignore[arg-type]


def test_a_payload_that_is_not_an_object_is_a_dead_letter() -> None:
    message = encode_envelope(Store().sale()).replace(b'"payload":{', b'"payload":[{', 1)[:-1] + b"]}"
    letter = check_message(TOPIC, message, NOW)
    assert isinstance(letter, DeadLetter)
    assert letter.reason.startswith("sale.completed payload does not match the contract: Expected `object`")
