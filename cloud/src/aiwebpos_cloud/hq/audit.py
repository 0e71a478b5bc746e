"""HQ's audit log: every action appended with the hash of the one before (edits and deletions show)."""

import hashlib
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq.db.models import AuditEntry

GENESIS = "0" * 64


def entry_hash(prev_hash: str, at: str, actor: str | None, action: str, details: dict[str, Any]) -> str:
    body = json.dumps([prev_hash, at, actor, action, details], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


async def record(
    session: AsyncSession,
    at: str,
    actor: str | None,
    action: str,
    client_ip: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Append in the caller's transaction (the action and its entry commit together)."""
    details = json.loads(json.dumps(details, default=str))
    last = (await session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))).scalar()
    prev = last.hash if last else GENESIS
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        details=details,
        client_ip=client_ip,
        prev_hash=prev,
        hash=entry_hash(prev, at, actor, action, details),
    )
    session.add(entry)
    await session.flush()
    return entry


async def verify_chain(session: AsyncSession) -> int | None:
    """The id of the first entry that does not follow from the one before, or None when intact."""
    prev = GENESIS
    for entry in (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars():
        if entry.prev_hash != prev or entry.hash != entry_hash(
            prev, entry.at, entry.actor, entry.action, entry.details
        ):
            return entry.id
        prev = entry.hash
    return None
