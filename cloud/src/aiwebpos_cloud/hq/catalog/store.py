"""SQL of the catalog master: products, price lists and which store sells by which list."""

from collections.abc import Sequence

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq.catalog.models import Product, ProductIn
from aiwebpos_cloud.hq.db.models import (
    MasterProduct,
    PriceList,
    PriceListPrice,
    StoreOwnPrice,
    StorePriceList,
)


def as_product(row: MasterProduct) -> Product:
    return Product(
        sku=row.sku,
        name=row.name,
        price_cents=row.price_cents,
        vat_class=row.vat_class,  # type: ignore[arg-type]  # checked on the way in
        unit=row.unit,  # type: ignore[arg-type]
        category=row.category,
        barcodes=list(row.barcodes),
        plu=row.plu,
        active=row.active,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


async def products(
    session: AsyncSession, *, search: str = "", category: str = "", limit: int = 200, offset: int = 0
) -> tuple[list[MasterProduct], int]:
    """A page of the master (by SKU) and how many match in all."""
    query = select(MasterProduct)
    if search:
        like = f"%{search.lower()}%"
        query = query.where(
            or_(func.lower(MasterProduct.name).like(like), func.lower(MasterProduct.sku).like(like))
        )
    if category:
        query = query.where(MasterProduct.category == category)
    total = (await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one()
    page = await session.execute(query.order_by(MasterProduct.sku).limit(limit).offset(offset))
    return list(page.scalars()), total


async def products_by_sku(session: AsyncSession, skus: Sequence[str] | None) -> list[MasterProduct]:
    query = select(MasterProduct).order_by(MasterProduct.sku)
    if skus is not None:
        query = query.where(MasterProduct.sku.in_(skus))
    return list((await session.execute(query)).scalars())


async def all_skus(session: AsyncSession) -> list[str]:
    return list((await session.execute(select(MasterProduct.sku))).scalars())


async def barcode_owners(session: AsyncSession) -> dict[str, str]:
    """Every barcode of the master → its product's SKU."""
    rows = await session.execute(select(MasterProduct.sku, MasterProduct.barcodes))
    return {code: sku for sku, codes in rows for code in codes}


async def save_product(session: AsyncSession, sku: str, product: ProductIn, at: str, actor: str) -> bool:
    """Create or replace; True when the product is new."""
    row = await session.get(MasterProduct, sku)
    created = row is None
    if row is None:
        row = MasterProduct(sku=sku)
        session.add(row)
    row.name, row.price_cents, row.vat_class = product.name, product.price_cents, product.vat_class
    row.unit, row.category, row.barcodes = product.unit, product.category, list(product.barcodes)
    row.plu, row.active, row.updated_at, row.updated_by = product.plu, product.active, at, actor
    return created


async def categories(session: AsyncSession) -> list[str]:
    rows = await session.execute(
        select(MasterProduct.category)
        .where(MasterProduct.category != "")
        .distinct()
        .order_by(MasterProduct.category)
    )
    return list(rows.scalars())


async def price_lists(session: AsyncSession) -> list[PriceList]:
    return list((await session.execute(select(PriceList).order_by(PriceList.name))).scalars())


async def price_list(session: AsyncSession, name: str) -> PriceList | None:
    return await session.get(PriceList, name)


async def list_prices(session: AsyncSession, name: str) -> dict[str, int]:
    rows = await session.execute(
        select(PriceListPrice.sku, PriceListPrice.price_cents).where(PriceListPrice.price_list == name)
    )
    return {sku: cents for sku, cents in rows}


async def list_stores(session: AsyncSession, name: str) -> list[str]:
    rows = await session.execute(
        select(StorePriceList.store_id)
        .where(StorePriceList.price_list == name)
        .order_by(StorePriceList.store_id)
    )
    return list(rows.scalars())


async def save_price_list(
    session: AsyncSession, name: str, description: str, prices: dict[str, int], stores: Sequence[str], at: str
) -> bool:
    """Create or replace a list, its prices and its stores (a store sells by one list: naming it here
    moves it from any other). True when the list is new."""
    row = await session.get(PriceList, name)
    created = row is None
    if row is None:
        row = PriceList(name=name)
        session.add(row)
    row.description, row.updated_at = description, at
    await session.flush()
    await session.execute(delete(PriceListPrice).where(PriceListPrice.price_list == name))
    session.add_all(
        PriceListPrice(price_list=name, sku=sku, price_cents=cents) for sku, cents in prices.items()
    )
    await session.execute(
        delete(StorePriceList).where(
            or_(StorePriceList.price_list == name, StorePriceList.store_id.in_(stores))
        )
    )
    session.add_all(StorePriceList(store_id=store_id, price_list=name) for store_id in stores)
    return created


async def store_lists(session: AsyncSession, stores: Sequence[str]) -> dict[str, str]:
    """Each of these stores → the price list it sells by (stores without one are left out)."""
    rows = await session.execute(
        select(StorePriceList.store_id, StorePriceList.price_list).where(StorePriceList.store_id.in_(stores))
    )
    return {store_id: name for store_id, name in rows}


async def overrides_by_list(session: AsyncSession, names: Sequence[str]) -> dict[str, dict[str, int]]:
    rows = await session.execute(select(PriceListPrice).where(PriceListPrice.price_list.in_(names)))
    found: dict[str, dict[str, int]] = {name: {} for name in names}
    for row in rows.scalars():
        found[row.price_list][row.sku] = row.price_cents
    return found


async def own_prices(session: AsyncSession, stores: Sequence[str]) -> dict[str, dict[str, int]]:
    """Each of these stores → its own prices by SKU (stores without any are left out)."""
    rows = await session.execute(select(StoreOwnPrice).where(StoreOwnPrice.store_id.in_(stores)))
    found: dict[str, dict[str, int]] = {}
    for row in rows.scalars():
        found.setdefault(row.store_id, {})[row.sku] = row.price_cents
    return found


async def set_own_price(
    session: AsyncSession, store_id: str, sku: str, price_cents: int, at: str, actor: str
) -> None:
    row = await session.get(StoreOwnPrice, (store_id, sku))
    if row is None:
        session.add(
            StoreOwnPrice(
                store_id=store_id, sku=sku, price_cents=price_cents, updated_at=at, updated_by=actor
            )
        )
    else:
        row.price_cents, row.updated_at, row.updated_by = price_cents, at, actor


async def drop_own_price(session: AsyncSession, store_id: str, sku: str) -> int | None:
    """Forget the store's own price of `sku`; the price it had, or None when it had none."""
    row = await session.get(StoreOwnPrice, (store_id, sku))
    if row is None:
        return None
    await session.delete(row)
    return row.price_cents


async def set_price(session: AsyncSession, sku: str, price_cents: int, at: str, actor: str) -> bool:
    """The master's price of `sku`; False when the master does not hold it."""
    row = await session.get(MasterProduct, sku)
    if row is None:
        return False
    row.price_cents, row.updated_at, row.updated_by = price_cents, at, actor
    return True
