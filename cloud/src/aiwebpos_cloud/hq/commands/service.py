"""Pushing to stores: one command per store (its own `command_id`, so each store applies it once and
answers it), recorded before it is published, audited, and followed up by the stores' answers."""

from collections.abc import Callable, Sequence, Set
from typing import Any

import msgspec
from litestar.exceptions import ClientException
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq import audit
from aiwebpos_cloud.hq.commands import store
from aiwebpos_cloud.hq.db.models import SentCommand
from aiwebpos_contracts import uuid7
from aiwebpos_contracts.commands import COMMAND_BODIES, Command
from aiwebpos_contracts.topics import commands_topic

# topic, payload, command_id: handed to the broker's client, which reports each PUBACK by command_id.
Publish = Callable[[str, bytes, str], None]
SECRET_FIELDS = frozenset({"password", "pin"})


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
    """Send the same `body` to the stores; return the batch id the results are followed by."""
    check_body(command_type, body)
    to = await targets(session, stores)
    return await push_each(
        session, publish, command_type=command_type, bodies=[(s, body) for s in to], actor=actor, at=at, ip=ip
    )


async def push_each(
    session: AsyncSession,
    publish: Publish,
    *,
    command_type: str,
    bodies: Sequence[tuple[str, dict[str, Any]]],
    actor: str,
    at: str,
    ip: str | None = None,
) -> str:
    """Send each store its own bodies (its own prices, a big catalog in parts) in one batch; the
    stores are known already. Each body is its own command, applied and answered on its own. They are
    handed to `publish` once the caller's transaction has committed (never if it rolls back): the
    broker's PUBACK must find its command in HQ's database."""
    batch_id = str(uuid7())
    sent: list[SentCommand] = []
    for store_id, body in bodies:
        check_body(command_type, body)
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
    shown: dict[str, list[dict[str, Any]]] = {}
    for store_id, body in bodies:
        shown.setdefault(store_id, []).append(redacted(body))
    same = len({msgspec.json.encode(b) for b in shown.values()}) == 1 and len(bodies) == len(shown)
    await audit.record(
        session,
        at,
        actor,
        "command.pushed",
        ip,
        batch_id=batch_id,
        type=command_type,
        stores=sorted(shown),
        body=redacted(bodies[0][1]) if same else _summary(command_type, shown),
    )
    await session.flush()
    # The broker keeps a command for a store that is offline (its session is persistent): "sent" means
    # the broker has acknowledged it; the store's `command.result` turns it into applied or failed.
    _send_after_commit(session, publish, [_message(row) for row in sent])
    return batch_id


_UNSENT = "hq.commands_to_send"  # in a session's `info`: what its transaction will publish if it commits


def _send_after_commit(
    session: AsyncSession, publish: Publish, messages: list[tuple[str, bytes, str]]
) -> None:
    """Queue `messages` on the session's current transaction: published when it commits, forgotten when
    it rolls back (a session that goes on to commit another transaction never sends them)."""
    sync = session.sync_session
    if _UNSENT not in sync.info:
        sync.info[_UNSENT] = []
        event.listen(sync, "after_commit", _publish_queued)
        event.listen(sync, "after_rollback", _forget_queued)
    sync.info[_UNSENT].extend((publish, message) for message in messages)


def _publish_queued(sync: Any) -> None:
    queued, sync.info[_UNSENT] = sync.info[_UNSENT], []
    for publish, message in queued:
        publish(*message)


def _forget_queued(sync: Any) -> None:
    sync.info[_UNSENT] = []


def _message(row: SentCommand) -> tuple[str, bytes, str]:
    command = Command(
        command_id=row.command_id,
        type=row.type,
        issued_at=row.issued_at,
        body=row.body,
        issued_by=row.issued_by,
    )
    return commands_topic(row.store_id), msgspec.json.encode(command), row.command_id


def _summary(command_type: str, shown: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """What the audit keeps of a push whose stores got different bodies: all of it, except that a
    catalog is counted rather than copied (the master's own audit has each product's change)."""
    if command_type != "catalog.upsert":
        return shown
    return {s: sum(len(b.get("products", [])) for b in bodies) for s, bodies in shown.items()}


def redacted(body: dict[str, Any]) -> dict[str, Any]:
    """A body as HQ shows and audits it: a user's password and PIN never leave the push itself."""
    return {k: ("(set)" if k in SECRET_FIELDS and v is not None else v) for k, v in body.items()}


async def mark_sent(session: AsyncSession, command_id: str) -> None:
    """The broker has it. From here on HQ keeps only the body as shown (no password or PIN): the
    broker holds what the store still has to receive."""
    row = await store.command(session, command_id)
    if row is not None:
        await store.settle_sent(session, command_id, redacted(row.body))


async def resend_queued(session: AsyncSession, publish: Publish, skip: Set[str]) -> int:
    """Publish again every command the broker never acknowledged (HQ stopped, or the broker was away),
    except those `skip` names (still on their way). The store applies each once whatever happens."""
    count = 0
    for row in await store.queued(session):
        if row.command_id in skip:
            continue
        publish(*_message(row))
        count += 1
    return count
