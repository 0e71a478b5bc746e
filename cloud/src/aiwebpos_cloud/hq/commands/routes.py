"""Remote management: prices (and later the catalog, users and settings) pushed to one, several or all
stores, with each store's delivery and apply result."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body, FromPath

from aiwebpos_cloud.hq.auth.routes import claims_of
from aiwebpos_cloud.hq.commands import service, store
from aiwebpos_cloud.hq.state import Hq, HqDep


class PriceLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    sku: str
    price_cents: int


class PricePush(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    prices: list[PriceLine]
    stores: list[str] | None = None  # None: every store


class Delivery(msgspec.Struct, kw_only=True):
    store_id: str
    command_id: str
    state: str  # queued, sent (the broker has it), applied, failed
    detail: str
    answered_at: str | None


class Pushed(msgspec.Struct, kw_only=True):
    batch_id: str
    type: str
    issued_by: str
    issued_at: str
    body: dict[str, Any]
    deliveries: list[Delivery]


class CommandController(Controller):
    path = "/api/v1/commands"

    @post("/prices", opt={"permission": "catalog.push"}, status_code=202)
    async def push_prices(
        self, hq: HqDep, request: Request[Any, Any, Any], data: Annotated[PricePush, Body()]
    ) -> Pushed:
        bad = [p.sku for p in data.prices if p.price_cents < 0 or not p.sku.strip()]
        if not data.prices or bad:
            raise ClientException("give at least one price, each with a SKU and a price of 0 or more")
        body = {"prices": [msgspec.to_builtins(p) for p in data.prices]}
        async with hq.sessions.begin() as session:
            batch_id = await service.push(
                session,
                hq.publish,
                command_type="price.set",
                body=body,
                stores=data.stores,
                actor=claims_of(request).sub,
                at=hq.at(),
                ip=request.client.host if request.client else None,
            )
        return await _pushed(hq, batch_id)

    @get("/{batch_id:str}", opt={"permission": "commands.read"})
    async def batch(self, hq: HqDep, batch_id: FromPath[str]) -> Pushed:
        return await _pushed(hq, batch_id)


async def _pushed(hq: Hq, batch_id: str) -> Pushed:
    async with hq.sessions() as session:
        rows = await store.batch(session, batch_id)
    if not rows:
        raise NotFoundException(f"no push {batch_id}")
    first = rows[0]
    return Pushed(
        batch_id=batch_id,
        type=first.type,
        issued_by=first.issued_by,
        issued_at=first.issued_at,
        body=first.body,
        deliveries=[
            Delivery(
                store_id=r.store_id,
                command_id=r.command_id,
                state=r.state,
                detail=r.detail,
                answered_at=r.answered_at,
            )
            for r in rows
        ],
    )
