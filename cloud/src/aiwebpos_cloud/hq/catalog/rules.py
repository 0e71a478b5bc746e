"""Pure rules of the catalog master: what a valid product is, and what each store's price is."""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from litestar.exceptions import ClientException

from aiwebpos_cloud.hq.catalog.models import ProductIn
from aiwebpos_contracts.gtin import BarcodeError, check_barcode

SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$")
PLU = re.compile(r"^[0-9]{1,6}$")


def check_sku(sku: str) -> str:
    if not SKU.match(sku):
        raise ClientException(f"{sku!r} is not a SKU: letters, digits, '.', '_' or '-', at most 64")
    return sku


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise ClientException(f"{name!r} is not a price list name: letters, digits, spaces, '.', '_', '-'")
    return name


def checked_product(sku: str, product: ProductIn, barcodes_elsewhere: Mapping[str, str]) -> ProductIn:
    """The product with its barcodes cleaned, or a 400 saying what is wrong. `barcodes_elsewhere` maps
    each barcode of another product to that product's SKU: a barcode belongs to one product."""
    check_sku(sku)
    if not product.name.strip():
        raise ClientException("a product needs a name")
    if product.price_cents < 0:
        raise ClientException("a price is 0 or more (lisente, VAT inclusive)")
    if product.plu is not None and not PLU.match(product.plu):
        raise ClientException(f"PLU {product.plu!r} must be 1 to 6 digits")
    cleaned: list[str] = []
    for raw in product.barcodes:
        try:
            code = check_barcode(raw)
        except BarcodeError as exc:
            raise ClientException(str(exc)) from exc
        owner = barcodes_elsewhere.get(code)
        if owner is not None and owner != sku:
            raise ClientException(f"barcode {code} already belongs to {owner}")
        if code not in cleaned:
            cleaned.append(code)
    return ProductIn(
        name=product.name.strip(),
        price_cents=product.price_cents,
        vat_class=product.vat_class,
        unit=product.unit,
        category=product.category.strip(),
        barcodes=cleaned,
        plu=product.plu,
        active=product.active,
    )


def checked_prices(prices: Mapping[str, int], known_skus: Iterable[str]) -> dict[str, int]:
    known = set(known_skus)
    unknown = sorted(set(prices) - known)
    if unknown:
        raise ClientException(f"not in the catalog master: {', '.join(unknown[:10])}")
    negative = sorted(sku for sku, cents in prices.items() if cents < 0)
    if negative:
        raise ClientException(f"a price is 0 or more: {', '.join(negative[:10])}")
    return dict(prices)


def upsert_body(products: Iterable[tuple[str, ProductIn]], overrides: Mapping[str, int]) -> dict[str, Any]:
    """The `catalog.upsert` a store gets: the master's products at that store's prices."""
    return {
        "products": [
            {
                "sku": sku,
                "name": p.name,
                "price_cents": overrides.get(sku, p.price_cents),
                "vat_class": p.vat_class,
                "unit": p.unit,
                "category": p.category,
                "barcodes": list(p.barcodes),
                "plu": p.plu,
                "active": p.active,
            }
            for sku, p in products
        ]
    }
