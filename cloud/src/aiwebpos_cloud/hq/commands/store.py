"""SQL of remote management: the commands HQ sent, one row per store, and what each store answered."""

from typing import Any

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq.db.models import SentCommand, StoreSeen


async def known_stores(session: AsyncSession) -> list[str]:
    return list((await session.execute(select(StoreSeen.store_id).order_by(StoreSeen.store_id))).scalars())


async def batch(session: AsyncSession, batch_id: str) -> list[SentCommand]:
    rows = await session.execute(
        select(SentCommand).where(SentCommand.batch_id == batch_id).order_by(SentCommand.store_id)
    )
    return list(rows.scalars())


async def answer(
    session: AsyncSession, store_id: str, command_id: str, ok: bool, detail: str, at: str
) -> bool:
    """Record a store's `command.result`; False when HQ never sent that command to that store (another
    HQ, or a store answering for another: only the store a command went to may settle it)."""
    sent = await session.get(SentCommand, command_id)
    if sent is None or sent.store_id != store_id:
        return False
    sent.state, sent.detail, sent.answered_at = ("applied" if ok else "failed"), detail, at
    return True


async def settle_sent(session: AsyncSession, command_id: str, shown_body: dict[str, Any]) -> None:
    """The broker's PUBACK: keep only the body as shown, and turn "queued" into "sent" in the database
    itself. A fast store's answer, committed by another session since this one read the row, must
    not be overwritten back to "sent" (a read-modify-write here lost "applied" under load)."""
    await session.execute(
        update(SentCommand)
        .where(SentCommand.command_id == command_id)
        .values(
            body=shown_body,
            state=case((SentCommand.state == "queued", "sent"), else_=SentCommand.state),
        )
        .execution_options(synchronize_session=False)
    )


async def queued(session: AsyncSession) -> list[SentCommand]:
    """Commands the broker has not acknowledged yet, oldest first."""
    rows = await session.execute(
        select(SentCommand).where(SentCommand.state == "queued").order_by(SentCommand.command_id)
    )
    return list(rows.scalars())


async def command(session: AsyncSession, command_id: str) -> SentCommand | None:
    return await session.get(SentCommand, command_id)


async def recent(session: AsyncSession, limit: int) -> list[dict[str, Any]]:
    """The latest pushes, newest first, each with how many of its stores are in which state."""
    latest = (
        select(SentCommand.batch_id, func.max(SentCommand.issued_at).label("at"))
        .group_by(SentCommand.batch_id)
        .order_by(func.max(SentCommand.issued_at).desc(), SentCommand.batch_id.desc())
        .limit(limit)
        .subquery()
    )
    rows = await session.execute(select(SentCommand).join(latest, SentCommand.batch_id == latest.c.batch_id))
    batches: dict[str, dict[str, Any]] = {}
    for row in rows.scalars():
        batch = batches.setdefault(
            row.batch_id,
            {
                "batch_id": row.batch_id,
                "type": row.type,
                "issued_by": row.issued_by,
                "issued_at": row.issued_at,
                "stores": 0,
                "states": {},
            },
        )
        batch["stores"] += 1
        batch["states"][row.state] = batch["states"].get(row.state, 0) + 1
    return sorted(batches.values(), key=lambda b: (b["issued_at"], b["batch_id"]), reverse=True)
