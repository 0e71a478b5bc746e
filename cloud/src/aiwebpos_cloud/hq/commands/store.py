"""SQL of remote management: the commands HQ sent, one row per store, and what each store answered."""

from sqlalchemy import select
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
