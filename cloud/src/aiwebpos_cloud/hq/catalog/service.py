"""The catalog master's use cases: price lists checked against the master and the fleet, each store's
prices, and the push that sends every store the master at its own prices."""

from collections.abc import Sequence
from dataclasses import dataclass

from litestar.exceptions import ClientException
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq.catalog import rules, store
from aiwebpos_cloud.hq.catalog.models import CatalogPush, PriceListIn, PriceListOut, PriceSource, StorePrice
from aiwebpos_cloud.hq.commands import service as commands
from aiwebpos_cloud.hq.db.models import PriceList

# A store applies a catalog push in one transaction per command: a 300,000-product master goes out in
# parts so that no store holds its database for minutes, and a part that fails says which.
PRODUCTS_PER_COMMAND = 2_000


async def price_list_out(session: AsyncSession, row: PriceList) -> PriceListOut:
    return PriceListOut(
        name=row.name,
        description=row.description,
        prices=await store.list_prices(session, row.name),
        stores=await store.list_stores(session, row.name),
        updated_at=row.updated_at,
    )


async def save_price_list(session: AsyncSession, name: str, data: PriceListIn, at: str) -> bool:
    prices = rules.checked_prices(data.prices, await store.all_skus(session))
    stores = await commands.targets(session, data.stores) if data.stores else []
    return await store.save_price_list(session, name, data.description, prices, stores, at)


@dataclass(frozen=True)
class Override:
    """A store's price that is not the master's, and where it comes from."""

    cents: int
    source: PriceSource  # "list" or "store" (the store's own, an approved recommendation for it)
    price_list: str | None = None


async def overrides_of(session: AsyncSession, stores: Sequence[str]) -> dict[str, dict[str, Override]]:
    """Each store's prices that are not the master's, by SKU: its own price wins over its list's."""
    lists = await store.store_lists(session, stores)
    by_list = await store.overrides_by_list(session, sorted(set(lists.values())))
    own = await store.own_prices(session, stores)
    found: dict[str, dict[str, Override]] = {}
    for store_id in stores:
        name = lists.get(store_id)
        prices = {sku: Override(cents, "list", name) for sku, cents in by_list.get(name or "", {}).items()}
        prices.update({sku: Override(cents, "store") for sku, cents in own.get(store_id, {}).items()})
        found[store_id] = prices
    return found


async def store_prices(session: AsyncSession, store_id: str) -> list[StorePrice]:
    overrides = (await overrides_of(session, [store_id]))[store_id]
    prices = []
    for p in await store.products_by_sku(session, None):
        found = overrides.get(p.sku, Override(p.price_cents, "master"))
        prices.append(
            StorePrice(
                sku=p.sku,
                name=p.name,
                master_cents=p.price_cents,
                price_cents=found.cents,
                price_list=found.price_list,
                source=found.source,
            )
        )
    return prices


async def push_catalog(
    session: AsyncSession,
    publish: commands.Publish,
    data: CatalogPush,
    *,
    actor: str,
    at: str,
    ip: str | None,
) -> str:
    """One batch: each store the chosen products (all by default) at its own prices, in parts."""
    to = await commands.targets(session, data.stores)
    rows = await store.products_by_sku(session, data.skus)
    missing = sorted(set(data.skus or ()) - {r.sku for r in rows})
    if missing or not rows:
        raise ClientException(
            f"not in the catalog master: {', '.join(missing[:10])}"
            if missing
            else "the catalog master is empty"
        )
    products = [(r.sku, store.as_product(r)) for r in rows]
    overrides = await overrides_of(session, to)
    bodies = [
        (
            store_id,
            rules.upsert_body(
                products[i : i + PRODUCTS_PER_COMMAND],
                {sku: found.cents for sku, found in overrides[store_id].items()},
            ),
        )
        for store_id in to
        for i in range(0, len(products), PRODUCTS_PER_COMMAND)
    ]
    return await commands.push_each(
        session, publish, command_type="catalog.upsert", bodies=bodies, actor=actor, at=at, ip=ip
    )
