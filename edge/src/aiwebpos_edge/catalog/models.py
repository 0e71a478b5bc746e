"""The catalog's bodies and answers."""

from typing import Literal

import msgspec

from aiwebpos_edge.vat import VatClass

Unit = Literal["each", "kg"]


class Product(msgspec.Struct, kw_only=True):
    id: int
    sku: str
    name: str
    price_cents: int
    vat_class: VatClass
    unit: Unit
    category: str = ""
    barcodes: list[str] = []
    plu: str | None = None
    active: bool = True


class NewProduct(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    sku: str
    name: str
    price_cents: int
    vat_class: VatClass
    barcodes: list[str] = []
    unit: Unit = "each"
    category: str = ""
    plu: str | None = None  # item code inside in-store weighed barcodes


class ProductChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str | None = None
    price_cents: int | None = None
    vat_class: VatClass | None = None
    category: str | None = None
    unit: Unit | None = None
    plu: str | None = None
    active: bool | None = None
    add_barcodes: list[str] = []
    remove_barcodes: list[str] = []


class ScanResult(msgspec.Struct, kw_only=True):
    """What a scanned code means: a product, and for in-store weighed codes its weight or price."""

    product: Product
    barcode: str
    quantity_milli: int | None = None
    amount_cents: int | None = None
