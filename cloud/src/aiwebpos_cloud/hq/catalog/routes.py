"""HTTP of the catalog master: products and price lists edited at HQ, and pushed to the stores (each
store gets the master at its own price list's prices)."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import Body, FromPath, FromQuery

from aiwebpos_cloud.hq import audit
from aiwebpos_cloud.hq.auth.routes import claims_of, client_ip
from aiwebpos_cloud.hq.catalog import rules, service, store
from aiwebpos_cloud.hq.catalog.models import (
    CatalogPush,
    PriceListIn,
    PriceListOut,
    Product,
    ProductIn,
    StorePrice,
)
from aiwebpos_cloud.hq.commands.routes import Pushed, pushed
from aiwebpos_cloud.hq.state import Hq, HqDep


class ProductPage(msgspec.Struct, kw_only=True):
    products: list[Product]
    total: int


async def _product(hq: Hq, sku: str) -> Product:
    async with hq.sessions() as session:
        rows = await store.products_by_sku(session, [sku])
    if not rows:
        raise NotFoundException(f"no product {sku} in the catalog master")
    return store.as_product(rows[0])


async def _price_list(hq: Hq, name: str) -> PriceListOut:
    async with hq.sessions() as session:
        row = await store.price_list(session, name)
        if row is None:
            raise NotFoundException(f"no price list {name}")
        return await service.price_list_out(session, row)


class CatalogController(Controller):
    path = "/api/v1/catalog"

    @get("/products", opt={"permission": "catalog.read"})
    async def products(
        self,
        hq: HqDep,
        search: FromQuery[str] = "",
        category: FromQuery[str] = "",
        limit: FromQuery[int] = 100,
        offset: FromQuery[int] = 0,
    ) -> ProductPage:
        if not (1 <= limit <= 1000 and offset >= 0):
            raise ClientException("limit is from 1 to 1000 and offset 0 or more")
        async with hq.sessions() as session:
            rows, total = await store.products(
                session, search=search, category=category, limit=limit, offset=offset
            )
        return ProductPage(products=[store.as_product(r) for r in rows], total=total)

    @get("/products/{sku:str}", opt={"permission": "catalog.read"})
    async def product(self, hq: HqDep, sku: FromPath[str]) -> Product:
        return await _product(hq, sku)

    @put("/products/{sku:str}", opt={"permission": "catalog.edit"})
    async def save_product(
        self,
        hq: HqDep,
        request: Request[Any, Any, Any],
        sku: FromPath[str],
        data: Annotated[ProductIn, Body()],
    ) -> Product:
        actor, at = claims_of(request).sub, hq.at()
        async with hq.sessions.begin() as session:
            product = rules.checked_product(sku, data, await store.barcode_owners(session))
            created = await store.save_product(session, sku, product, at, actor)
            await audit.record(
                session,
                at,
                actor,
                "catalog.product_saved",
                client_ip(request),
                sku=sku,
                created=created,
                product=msgspec.to_builtins(product),
            )
        return await _product(hq, sku)

    @get("/categories", opt={"permission": "catalog.read"})
    async def categories(self, hq: HqDep) -> list[str]:
        async with hq.sessions() as session:
            return await store.categories(session)

    @get("/price-lists", opt={"permission": "catalog.read"})
    async def price_lists(self, hq: HqDep) -> list[PriceListOut]:
        async with hq.sessions() as session:
            return [await service.price_list_out(session, row) for row in await store.price_lists(session)]

    @get("/price-lists/{name:str}", opt={"permission": "catalog.read"})
    async def price_list(self, hq: HqDep, name: FromPath[str]) -> PriceListOut:
        return await _price_list(hq, name)

    @put("/price-lists/{name:str}", opt={"permission": "catalog.edit"})
    async def save_price_list(
        self,
        hq: HqDep,
        request: Request[Any, Any, Any],
        name: FromPath[str],
        data: Annotated[PriceListIn, Body()],
    ) -> PriceListOut:
        actor, at = claims_of(request).sub, hq.at()
        async with hq.sessions.begin() as session:
            created = await service.save_price_list(session, rules.check_name(name), data, at)
            await audit.record(
                session,
                at,
                actor,
                "catalog.price_list_saved",
                client_ip(request),
                name=name,
                created=created,
                prices=data.prices,
                stores=data.stores,
            )
        return await _price_list(hq, name)

    @get("/stores/{store_id:str}/prices", opt={"permission": "catalog.read"})
    async def store_prices(self, hq: HqDep, store_id: FromPath[str]) -> list[StorePrice]:
        async with hq.sessions() as session:
            return await service.store_prices(session, store_id)

    @delete("/stores/{store_id:str}/prices/{sku:str}", opt={"permission": "catalog.edit"}, status_code=200)
    async def drop_own_price(
        self, hq: HqDep, request: Request[Any, Any, Any], store_id: FromPath[str], sku: FromPath[str]
    ) -> list[StorePrice]:
        """The store sells `sku` by its price list (or the master) again, from its next push on."""
        actor, at = claims_of(request).sub, hq.at()
        async with hq.sessions.begin() as session:
            cents = await store.drop_own_price(session, store_id, sku)
            if cents is None:
                raise NotFoundException(f"{store_id} has no price of its own for {sku}")
            await audit.record(
                session,
                at,
                actor,
                "catalog.store_price_dropped",
                client_ip(request),
                store_id=store_id,
                sku=sku,
                price_cents=cents,
            )
            await session.flush()
            return await service.store_prices(session, store_id)

    @post("/push", opt={"permission": "catalog.push"}, status_code=202)
    async def push(
        self, hq: HqDep, request: Request[Any, Any, Any], data: Annotated[CatalogPush, Body()]
    ) -> Pushed:
        async with hq.sessions.begin() as session:
            batch_id = await service.push_catalog(
                session, hq.publish, data, actor=claims_of(request).sub, at=hq.at(), ip=client_ip(request)
            )
        return await pushed(hq, batch_id)
