"""JSON Schema files generated from the Structs, checked in under contracts/schemas/."""

import json
from pathlib import Path

import msgspec

from aiwebpos_contracts.commands import COMMAND_BODIES, Command
from aiwebpos_contracts.envelope import Envelope
from aiwebpos_contracts.events import EVENT_PAYLOADS
from aiwebpos_contracts.releases import ModelRelease
from aiwebpos_contracts.status import StoreStatus


def schema_documents() -> dict[str, str]:
    """File name → JSON text, for the envelope and each event payload."""
    documents = {
        "envelope.json": msgspec.json.schema(Envelope),
        "status.json": msgspec.json.schema(StoreStatus),
        "command.json": msgspec.json.schema(Command),
        "model.release.json": msgspec.json.schema(ModelRelease),
    }
    for command_type, body in COMMAND_BODIES.items():
        if body is not None:
            documents[f"command.{command_type}.json"] = msgspec.json.schema(body)
    for event_type, struct in EVENT_PAYLOADS.items():
        documents[f"{event_type}.json"] = msgspec.json.schema(struct)
    return {name: json.dumps(doc, indent=2, sort_keys=True) + "\n" for name, doc in documents.items()}


def write_schemas(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_documents().items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
