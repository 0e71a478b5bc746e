"""Turn one MQTT message into an envelope the lakehouse may store, or a dead letter saying why not.

A message is stored only if its topic is an event topic, its bytes are an envelope of the schema version
we know, its payload is valid for its type (the contract Struct of `EVENT_PAYLOADS`), and the topic's
store and type are the envelope's (the broker's ACL already ties the topic to the store's login).

The payload is decoded once: the envelope is decoded with its payload left as raw JSON bytes
(`RawEnvelope`), and those bytes are decoded straight into the contract Struct, which validates them;
the bytes are what `events.payload` stores.
"""

import uuid
from datetime import datetime

import msgspec

from aiwebpos_cloud.ingest.storable import storable_problem
from aiwebpos_cloud.lakehouse.rows import DeadLetter, RawEnvelope, parse_timestamp
from aiwebpos_contracts import EVENT_PAYLOADS, SCHEMA_VERSION, Envelope
from aiwebpos_contracts.topics import PREFIX


def parse_event_topic(topic: str) -> tuple[str, str] | None:
    """(store_id, event_type) of `aiwebpos/v1/stores/{store_id}/events/{type}`, else None."""
    prefix = f"{PREFIX}/stores/"
    if not topic.startswith(prefix):
        return None
    parts = topic[len(prefix) :].split("/")
    if len(parts) != 3 or parts[1] != "events" or not parts[0] or not parts[2]:
        return None
    return parts[0], parts[2]


_envelope_decoder = msgspec.json.Decoder(RawEnvelope)
_payload_decoders = {name: msgspec.json.Decoder(struct) for name, struct in EVENT_PAYLOADS.items()}


def validate_message(topic: str, payload: bytes, received_at: datetime) -> Envelope | DeadLetter:
    """The contract `Envelope` of a message the lakehouse may store, or its dead letter."""
    checked = check_message(topic, payload, received_at)
    return checked.envelope() if isinstance(checked, RawEnvelope) else checked


def check_message(topic: str, payload: bytes, received_at: datetime) -> RawEnvelope | DeadLetter:
    """As `validate_message`, the payload left as the bytes received (what the ingest stores)."""
    parsed = parse_event_topic(topic)

    def dead(reason: str, envelope: RawEnvelope | None = None) -> DeadLetter:
        return DeadLetter(
            topic=topic,
            payload=payload,
            reason=reason,
            received_at=received_at,
            store_id=parsed[0] if parsed else None,
            event_id=envelope.event_id if envelope else None,
        )

    if parsed is None:
        return dead(f"topic {topic!r} is not aiwebpos/v1/stores/<store_id>/events/<type>")
    topic_store, topic_type = parsed
    try:
        envelope = _envelope_decoder.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return dead(f"not an event envelope: {exc}")
    problem = _envelope_problem(envelope, topic_store, topic_type)
    if problem is not None:
        return dead(problem, envelope)
    try:
        body = _payload_decoders[envelope.type].decode(envelope.payload)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        return dead(f"{envelope.type} payload does not match the contract: {exc}", envelope)
    problem = storable_problem(body)
    if problem is not None:
        return dead(f"{envelope.type} payload cannot be stored: {problem}", envelope)
    return envelope


def _envelope_problem(envelope: RawEnvelope, topic_store: str, topic_type: str) -> str | None:
    if envelope.v != SCHEMA_VERSION:
        return f"envelope version {envelope.v} is not supported (this ingest reads v{SCHEMA_VERSION})"
    if envelope.store_id != topic_store:
        return f"envelope store_id {envelope.store_id!r} differs from the topic's store {topic_store!r}"
    if envelope.type != topic_type:
        return f"envelope type {envelope.type!r} differs from the topic's type {topic_type!r}"
    if envelope.type not in EVENT_PAYLOADS:
        return f"unknown event type {envelope.type!r}"
    try:
        uuid.UUID(envelope.event_id)
    except ValueError:
        return f"event_id {envelope.event_id!r} is not a UUID"
    if not 1 <= envelope.seq < 2**63:
        return f"seq {envelope.seq} is not a positive 64-bit number"
    try:
        parse_timestamp(envelope.occurred_at)
    except ValueError:
        return f"occurred_at {envelope.occurred_at!r} is not an ISO-8601 time"
    return None
