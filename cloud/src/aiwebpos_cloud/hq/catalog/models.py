"""The catalog master's bodies and answers."""

from typing import Literal

import msgspec

from aiwebpos_contracts.receipts import VatClass

Unit = Literal["each", "kg"]


class ProductIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    price_cents: int
    vat_class: VatClass
    unit: Unit = "each"
    category: str = ""
    barcodes: list[str] = []
    plu: str | None = None  # item code inside in-store weighed barcodes
    active: bool = True


class Product(ProductIn, kw_only=True):
    sku: str
    updated_at: str
    updated_by: str


class PriceListIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    description: str = ""
    prices: dict[str, int]  # SKU → price in lisente; SKUs not listed sell at the master's price
    stores: list[str] = []  # the stores that sell by this list


class PriceListOut(msgspec.Struct, kw_only=True):
    name: str
    description: str
    prices: dict[str, int]
    stores: list[str]
    updated_at: str


class CatalogPush(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    skus: list[str] | None = None  # None: the whole catalog
    stores: list[str] | None = None  # None: every store


PriceSource = Literal["master", "list", "store"]  # "store": its own, an approved recommendation for it


class StorePrice(msgspec.Struct, kw_only=True):
    sku: str
    name: str
    master_cents: int
    price_cents: int  # what the store sells it at: its own price, its price list's, or the master's
    price_list: str | None
    source: PriceSource = "master"
