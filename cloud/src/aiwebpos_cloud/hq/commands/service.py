"""Pushing to stores: one command per store (its own `command_id`, so each store applies it once and
answers it), recorded before it is published, audited, and followed up by the stores' answers."""

from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from litestar.exceptions import ClientException
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq import audit
from aiwebpos_cloud.hq.commands import store
from aiwebpos_cloud.hq.db.models import SentCommand
from aiwebpos_contracts import uuid7
from aiwebpos_contracts.commands import COMMAND_BODIES, Command
from aiwebpos_contracts.topics import commands_topic

Publish = Callable[[str, bytes], bool]  # topic, payload → handed to the broker's client


async def targets(session: AsyncSession, stores: Sequence[str] | None) -> list[str]:
    """The stores named (each known to HQ), or every store HQ has heard from."""
    known = await store.known_stores(session)
    if stores is None:
        if not known:
            raise ClientException("HQ has not heard from any store yet: there is nobody to send to")
        return known
    unknown = sorted(set(stores) - set(known))
    if not stores or unknown:
        raise ClientException(
            f"unknown store(s): {', '.join(unknown)}" if unknown else "name at least one store"
        )
    return sorted(set(stores))


def check_body(command_type: str, body: dict[str, Any]) -> None:
    shape = COMMAND_BODIES.get(command_type)
    if shape is not None:
        try:
            msgspec.convert(body, shape)
        except msgspec.ValidationError as exc:
            raise ClientException(f"not a valid {command_type}: {exc}") from exc


async def push(
    session: AsyncSession,
    publish: Publish,
    *,
    command_type: str,
    body: dict[str, Any],
    stores: Sequence[str] | None,
    actor: str,
    at: str,
    ip: str | None = None,
) -> str:
    """Send `body` to the stores; return the batch id the results are followed by."""
    check_body(command_type, body)
    to = await targets(session, stores)
    batch_id = str(uuid7())
    sent: list[SentCommand] = []
    for store_id in to:
        row = SentCommand(
            command_id=str(uuid7()),
            batch_id=batch_id,
            store_id=store_id,
            type=command_type,
            body=body,
            issued_by=actor,
            issued_at=at,
            state="queued",
            detail="",
        )
        session.add(row)
        sent.append(row)
    await audit.record(
        session, at, actor, "command.pushed", ip, batch_id=batch_id, type=command_type, stores=to, body=body
    )
    await session.flush()
    for row in sent:
        command = Command(
            command_id=row.command_id, type=command_type, issued_at=at, body=body, issued_by=actor
        )
        # The broker keeps it for a store that is offline (its session is persistent): "sent" means the
        # broker has it; the store's `command.result` turns it into applied or failed.
        if publish(commands_topic(row.store_id), msgspec.json.encode(command)):
            row.state = "sent"
    return batch_id
