"""SQL of reviews in HQ's database: the verdicts on fraud alerts."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq.db.models import FraudReview


async def review(session: AsyncSession, store_id: str, kind: str, ref: str) -> FraudReview | None:
    return await session.get(FraudReview, (store_id, kind, ref))


async def all_reviews(session: AsyncSession) -> dict[tuple[str, str, str], FraudReview]:
    rows = (await session.execute(select(FraudReview))).scalars()
    return {(r.store_id, r.kind, r.ref): r for r in rows}


def add(session: AsyncSession, row: FraudReview) -> None:
    session.add(row)
