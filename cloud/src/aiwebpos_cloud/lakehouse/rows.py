"""Rows of the two tables the writer stores as they come: `events` (from envelopes) and `dead_letters`."""

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import msgspec
import pyarrow as pa  # type: ignore[import-untyped]

from aiwebpos_cloud.lakehouse.tables import DEAD_LETTERS, EVENTS
from aiwebpos_contracts import SCHEMA_VERSION, Envelope

_payload_encoder = msgspec.json.Encoder()


class RawEnvelope(msgspec.Struct, frozen=True, kw_only=True):
    """An `Envelope` as received, its payload kept as the JSON bytes that were sent.

    The ingest decodes every message into this and validates the payload bytes once against its
    contract Struct; `events.payload` is then those same bytes, not a dict decoded and encoded again.
    """

    v: int = SCHEMA_VERSION
    event_id: str
    type: str
    store_id: str
    terminal_id: str | None
    seq: int
    occurred_at: str
    payload: msgspec.Raw

    def envelope(self) -> Envelope:
        """The contract `Envelope` (its payload decoded into a dict)."""
        return Envelope(
            v=self.v,
            event_id=self.event_id,
            type=self.type,
            store_id=self.store_id,
            terminal_id=self.terminal_id,
            seq=self.seq,
            occurred_at=self.occurred_at,
            payload=msgspec.json.decode(self.payload),
        )


def payload_text(envelope: Envelope | RawEnvelope) -> str:
    """The payload as JSON text: the bytes received, or the dict encoded."""
    if isinstance(envelope, RawEnvelope):
        return bytes(envelope.payload).decode()
    return _payload_encoder.encode(envelope.payload).decode()


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 instant ("2026-11-23T10:15:00.123Z") as an aware UTC datetime; naive means UTC."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def unique_envelopes(envelopes: Sequence[Envelope | RawEnvelope]) -> list[Envelope | RawEnvelope]:
    """The first envelope of each event_id, in order (a batch may hold a redelivered copy)."""
    seen: set[str] = set()
    unique: list[Envelope | RawEnvelope] = []
    for envelope in envelopes:
        if envelope.event_id not in seen:
            seen.add(envelope.event_id)
            unique.append(envelope)
    return unique


def events_table(envelopes: Sequence[Envelope | RawEnvelope], received_at: datetime) -> pa.Table:
    """The `events` rows of envelopes (unique by event_id); `date` is the UTC date of occurred_at."""
    occurred = [parse_timestamp(envelope.occurred_at) for envelope in envelopes]
    columns = {
        "event_id": [envelope.event_id for envelope in envelopes],
        "v": [envelope.v for envelope in envelopes],
        "type": [envelope.type for envelope in envelopes],
        "store_id": [envelope.store_id for envelope in envelopes],
        "terminal_id": [envelope.terminal_id for envelope in envelopes],
        "seq": [envelope.seq for envelope in envelopes],
        "occurred_at": occurred,
        "date": [moment.date() for moment in occurred],
        "payload": [payload_text(envelope) for envelope in envelopes],
        "received_at": [received_at.astimezone(UTC)] * len(envelopes),
    }
    return pa.table(columns, schema=EVENTS.schema)


def warm_up() -> None:
    """Convert an empty batch once, before any message waits on it: the first time pyarrow converts
    Python lists it imports pandas when pandas is installed (as MLflow installs it), ~0.7-1.2 s of CPU
    that would otherwise fall on the first batch after every start."""
    events_table([], datetime.now(UTC))


@dataclass(frozen=True)
class DeadLetter:
    """A message that could not be stored as an event, and why."""

    topic: str
    payload: bytes
    reason: str
    received_at: datetime
    store_id: str | None = None
    event_id: str | None = None

    @property
    def dead_letter_id(self) -> str:
        """Same topic and bytes, same id: a redelivered bad message is kept once."""
        return hashlib.sha256(self.topic.encode() + b"\0" + self.payload).hexdigest()


def dead_letters_table(letters: Sequence[DeadLetter]) -> pa.Table:
    unique = list({letter.dead_letter_id: letter for letter in reversed(letters)}.values())[::-1]
    texts = [_as_text(letter.payload) for letter in unique]
    columns = {
        "dead_letter_id": [letter.dead_letter_id for letter in unique],
        "received_at": [letter.received_at.astimezone(UTC) for letter in unique],
        "topic": [letter.topic for letter in unique],
        "payload": [text for text, _ in texts],
        "payload_encoding": [encoding for _, encoding in texts],
        "reason": [letter.reason for letter in unique],
        "store_id": [letter.store_id for letter in unique],
        "event_id": [letter.event_id for letter in unique],
    }
    return pa.table(columns, schema=DEAD_LETTERS.schema)


def _as_text(payload: bytes) -> tuple[str, str]:
    try:
        return payload.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(payload).decode("ascii"), "base64"
