"""The interfaces shared by the store node and the cloud: topics, the event envelope, every payload.

No I/O lives here. Both sides import this package; nothing else is shared between them.
"""

from aiwebpos_contracts.envelope import SCHEMA_VERSION, Envelope, decode_envelope, encode_envelope
from aiwebpos_contracts.events import EVENT_PAYLOADS, event_type_of
from aiwebpos_contracts.ids import uuid7

__all__ = [
    "EVENT_PAYLOADS",
    "SCHEMA_VERSION",
    "Envelope",
    "decode_envelope",
    "encode_envelope",
    "event_type_of",
    "uuid7",
]
