"""Reviews at HQ: a manager approves or rejects the pricing model's proposals (approved prices are pushed
to the stores they are for), and confirms or dismisses the fraud model's alerts (a confirmed alert
becomes a label the next fraud training is measured against). Every decision is audited."""

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
import polars as pl
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq import audit
from aiwebpos_cloud.hq.auth.routes import claims_of, client_ip
from aiwebpos_cloud.hq.catalog import service as catalog_service
from aiwebpos_cloud.hq.catalog import store as catalog
from aiwebpos_cloud.hq.commands import service as commands
from aiwebpos_cloud.hq.dashboards.filters import MASERU
from aiwebpos_cloud.hq.db.models import FraudReview
from aiwebpos_cloud.hq.reviews import lake, store
from aiwebpos_cloud.hq.state import Hq, HqDep
from aiwebpos_cloud.lakehouse.decisions import Decision, price_decision_rows, review_label_row


class PriceDecisionIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    ids: list[str]
    decision: Decision
    note: str | None = None


class PriceDecided(msgspec.Struct, kw_only=True):
    decided: int
    batch_id: str | None  # the push of the approved prices, followed at /api/v1/commands/{batch_id}


class FraudReviewIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    store_id: str
    kind: str
    ref: str
    verdict: Literal["fraud", "not_fraud"]
    note: str = ""


class AlertOut(msgspec.Struct, kw_only=True):
    store_id: str
    kind: str
    ref: str
    shift_id: str | None
    cashier: str | None
    occurred_at: str | None
    score: float
    reasons: str
    verdict: str | None  # None: still to review
    reviewed_by: str | None
    note: str


def lakehouse_of(state: State) -> Path:
    hq: Hq = state.hq
    if not hq.settings.lakehouse:
        raise ClientException("this HQ has no lakehouse: serve it with --lakehouse DIR", status_code=409)
    return Path(hq.settings.lakehouse)


async def price_bodies(session: AsyncSession, approved: pl.DataFrame) -> list[tuple[str, dict[str, Any]]]:
    """One `price.set` per store: a store's own proposal to that store (it wins over a chain-wide one for
    the same SKU), a chain-wide proposal (no store) to every store that sells the SKU at the master's
    price (a store whose price list or own price says otherwise keeps it, as a catalog push would)."""
    every = await commands.targets(session, None)
    named = approved.get_column("store_id").drop_nulls().unique().to_list()
    if named:
        await commands.targets(session, named)  # a proposal for a store HQ never heard from: a clear 400
    overrides = await catalog_service.overrides_of(session, every)
    prices: dict[str, dict[str, int]] = {}
    for row in approved.sort(pl.col("store_id").is_not_null()).iter_rows(named=True):
        sku, cents = row["sku"], int(row["recommended_price_cents"])
        if row["store_id"] is not None:
            prices.setdefault(row["store_id"], {})[sku] = cents
            continue
        for store_id in every:
            if sku not in overrides[store_id]:
                prices.setdefault(store_id, {})[sku] = cents
    return [
        (s, {"prices": [{"sku": sku, "price_cents": c} for sku, c in sorted(p.items())]})
        for s, p in sorted(prices.items())
    ]


async def record_approved_prices(session: AsyncSession, approved: pl.DataFrame, at: str, actor: str) -> None:
    """What HQ's catalog keeps of an approval, so that a later catalog push sends the same prices: a
    chain-wide price becomes the master's, a store's own price is kept for that store."""
    for row in approved.iter_rows(named=True):
        cents = int(row["recommended_price_cents"])
        if row["store_id"] is None:
            await catalog.set_price(session, row["sku"], cents, at, actor)
        else:
            await catalog.set_own_price(session, row["store_id"], row["sku"], cents, at, actor)


class ReviewController(Controller):
    path = "/api/v1/reviews"

    @get("/prices", opt={"permission": "reviews.read"})
    async def price_recommendations(self, state: State) -> list[dict[str, Any]]:
        frame = await asyncio.to_thread(lake.recommendations, lakehouse_of(state))
        return frame.with_columns(pl.col("decided_at").cast(pl.String)).to_dicts()

    @post("/prices", opt={"permission": "prices.decide"}, status_code=200)
    async def decide_prices(
        self,
        hq: HqDep,
        state: State,
        request: Request[Any, Any, Any],
        data: Annotated[PriceDecisionIn, Body()],
    ) -> PriceDecided:
        lakehouse, actor, at = lakehouse_of(state), claims_of(request).sub, hq.now()
        wanted = list(dict.fromkeys(data.ids))
        if not wanted:
            raise ClientException("name at least one recommendation")
        found = await asyncio.to_thread(lake.proposals, lakehouse, wanted)
        missing = sorted(set(wanted) - set(found.get_column("recommendation_id").to_list()))
        if missing:
            raise ClientException(f"no current price recommendation {', '.join(missing)}")
        batch_id = None
        async with hq.sessions.begin() as session:
            if data.decision == "approved":
                bodies = await price_bodies(session, found)
                await record_approved_prices(session, found, hq.at(), actor)
            else:
                bodies = []
            await asyncio.to_thread(
                lake.record_price_decisions,
                lakehouse,
                price_decision_rows(found, data.decision, actor, data.note, at),
            )
            await audit.record(
                session,
                hq.at(),
                actor,
                f"prices.{data.decision}",
                client_ip(request),
                ids=wanted,
                note=data.note,
            )
            if bodies:
                batch_id = await commands.push_each(
                    session,
                    hq.publish,
                    command_type="price.set",
                    bodies=bodies,
                    actor=actor,
                    at=hq.at(),
                    ip=client_ip(request),
                )
        return PriceDecided(decided=found.height, batch_id=batch_id)

    @get("/fraud", opt={"permission": "reviews.read"})
    async def fraud_alerts(self, hq: HqDep, state: State, status: FromQuery[str] = "open") -> list[AlertOut]:
        if status not in ("open", "reviewed", "all"):
            raise ClientException("status is open, reviewed or all")
        frame = await asyncio.to_thread(lake.alerts, lakehouse_of(state))
        async with hq.sessions() as session:
            reviews = await store.all_reviews(session)
        out = []
        for a in frame.iter_rows(named=True):
            review = reviews.get((a["store_id"], a["kind"], a["ref"]))
            if (status == "open" and review is not None) or (status == "reviewed" and review is None):
                continue
            out.append(
                AlertOut(
                    store_id=a["store_id"],
                    kind=a["kind"],
                    ref=a["ref"],
                    shift_id=a["shift_id"],
                    cashier=a["cashier"],
                    occurred_at=a["occurred_at"].isoformat()
                    if isinstance(a["occurred_at"], datetime)
                    else None,
                    score=float(a["score"]),
                    reasons=a["reasons"] or "",
                    verdict=review.verdict if review else None,
                    reviewed_by=review.reviewed_by if review else None,
                    note=review.note if review else "",
                )
            )
        return out

    @post("/fraud", opt={"permission": "fraud.review"}, status_code=201)
    async def review_alert(
        self, hq: HqDep, state: State, request: Request[Any, Any, Any], data: Annotated[FraudReviewIn, Body()]
    ) -> FraudReviewIn:
        lakehouse, actor = lakehouse_of(state), claims_of(request).sub
        alert = await asyncio.to_thread(lake.alert, lakehouse, data.store_id, data.kind, data.ref)
        if alert is None:
            raise NotFoundException(f"no fraud alert {data.kind} {data.ref} at {data.store_id}")
        async with hq.sessions.begin() as session:
            if await store.review(session, data.store_id, data.kind, data.ref) is not None:
                raise ClientException(
                    f"{data.kind} {data.ref} at {data.store_id} is reviewed already", status_code=409
                )
            store.add(
                session,
                FraudReview(
                    store_id=data.store_id,
                    kind=data.kind,
                    ref=data.ref,
                    verdict=data.verdict,
                    note=data.note,
                    reviewed_by=actor,
                    reviewed_at=hq.at(),
                ),
            )
            await audit.record(
                session, hq.at(), actor, "fraud.reviewed", client_ip(request), **msgspec.to_builtins(data)
            )
            if data.verdict == "fraud":  # written last: a failure above leaves no label behind
                occurred = alert["occurred_at"] or hq.now()
                label = review_label_row(
                    store_id=data.store_id,
                    day=occurred.astimezone(MASERU).date(),
                    kind=data.kind,
                    ref=data.ref,
                    shift_id=alert["shift_id"],
                    cashier=alert["cashier"] or "",
                    note=data.note,
                    at=hq.now(),
                )
                await asyncio.to_thread(lake.record_label, lakehouse, label)
        return data
