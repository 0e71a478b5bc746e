"""SQL of the fleet: each store's last status as HQ received it."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq.db.models import StoreSeen


async def save_status(session: AsyncSession, store_id: str, status: dict[str, Any], at: str) -> None:
    seen = await session.get(StoreSeen, store_id)
    online = bool(status.get("online"))
    if seen is None:
        seen = StoreSeen(store_id=store_id, online=online, status=status, received_at=at)
        session.add(seen)
    # An offline Last Will carries no figures: keep the last known ones beside the new state.
    seen.status = status if online or seen.status is None else {**seen.status, "online": False}
    seen.online, seen.received_at = online, at
    if online:
        seen.last_online_at = at


async def all_stores(session: AsyncSession) -> list[StoreSeen]:
    return list((await session.execute(select(StoreSeen).order_by(StoreSeen.store_id))).scalars())
