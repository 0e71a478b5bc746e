"""A catalog file (CSV) into HQ's catalog master: every row checked first (the same rules as the page),
nothing written unless all are good, then saved in chunks. The file is the store node's
(`aiwebpos_contracts.catalog_file`)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import msgspec
from litestar.exceptions import ClientException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from aiwebpos_cloud.hq import audit
from aiwebpos_cloud.hq.catalog import rules, store
from aiwebpos_cloud.hq.catalog.models import ProductIn, Unit
from aiwebpos_contracts.catalog_file import barcodes_in, read_rows
from aiwebpos_contracts.receipts import VatClass

CHUNK = 5_000
MAX_ERRORS = 50


@dataclass
class Checked:
    products: list[tuple[str, ProductIn]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def check(rows: Iterator[tuple[int, dict[str, str]]], barcodes_elsewhere: dict[str, str]) -> Checked:
    """Each row by the master's rules; a SKU or barcode twice in the file is an error too."""
    checked, seen, codes = Checked(), set[str](), dict(barcodes_elsewhere)
    for line, row in rows:
        sku = (row.get("sku") or "").strip()
        try:
            if sku in seen:
                raise ClientException(f"SKU {sku} is in the file twice")
            body = ProductIn(
                name=row.get("name") or "",
                price_cents=int(row.get("price_cents") or ""),
                vat_class=msgspec.convert(row.get("vat_class"), VatClass),
                unit=msgspec.convert(row.get("unit") or "each", Unit),
                category=row.get("category") or "",
                barcodes=barcodes_in(row.get("barcodes")),
                plu=(row.get("plu") or "").strip() or None,
            )
            product = rules.checked_product(sku, body, codes)
        except (ClientException, ValueError, msgspec.ValidationError) as exc:
            detail = exc.detail if isinstance(exc, ClientException) else str(exc)
            checked.errors.append(f"line {line}: {detail}")
            if len(checked.errors) >= MAX_ERRORS:
                break
            continue
        seen.add(sku)
        codes.update(dict.fromkeys(product.barcodes, sku))
        checked.products.append((sku, product))
    return checked


async def import_file(
    sessions: async_sessionmaker[AsyncSession],
    path: Path,
    at: str,
    actor: str,
    progress: Callable[[int, int], None] | None = None,
) -> Checked:
    """Check `path` against the master and, when every row is good, save it; the errors otherwise."""
    async with sessions() as session:
        owners = await store.barcode_owners(session)
    checked = check(read_rows(path), owners)
    if checked.errors:
        return checked
    total = len(checked.products)
    for start in range(0, total, CHUNK):
        async with sessions.begin() as session:
            for sku, product in checked.products[start : start + CHUNK]:
                await store.save_product(session, sku, product, at, actor)
        if progress is not None:
            progress(min(start + CHUNK, total), total)
    async with sessions.begin() as session:
        await audit.record(session, at, actor, "catalog.imported", None, file=path.name, products=total)
    return checked
