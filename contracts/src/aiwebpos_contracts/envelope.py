"""The envelope every business event travels in (CONTRACTS.md §3)."""

from typing import Any

import msgspec

SCHEMA_VERSION = 1


class Envelope(msgspec.Struct, frozen=True, kw_only=True):
    """One business event of one store.

    `event_id` is the idempotency key; `seq` is per store, starts at 1 and has no gaps, so the cloud
    can tell a missing event from a late one.
    """

    v: int = SCHEMA_VERSION
    event_id: str
    type: str
    store_id: str
    terminal_id: str | None
    seq: int
    occurred_at: str
    payload: dict[str, Any]


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Envelope)


def encode_envelope(envelope: Envelope) -> bytes:
    return _encoder.encode(envelope)


def decode_envelope(data: bytes | str) -> Envelope:
    """Decode and validate an envelope; raises msgspec.ValidationError or DecodeError."""
    return _decoder.decode(data)
