"""Catalog rules: valid barcodes, unique SKUs, scans resolved to a product and an amount."""

import re

from aiwebpos_edge import barcodes as gtin
from aiwebpos_edge.catalog import store
from aiwebpos_edge.catalog.models import NewProduct, Product, ProductChange, ScanResult
from aiwebpos_edge.config.service import store_config
from aiwebpos_edge.errors import Conflict, Invalid, NotFound
from aiwebpos_edge.money import round_half_up_div
from aiwebpos_edge.tx import Actor, Tx

MAX_PRICE_CENTS = 100_000_000  # M1,000,000.00: anything above is a typo
_SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,39}$")


def normal_plu(plu: str) -> str:
    """PLUs compare as numbers: label item code 01001 is PLU 1001."""
    return str(int(plu))


def product_by_sku(tx: Tx, sku: str) -> Product:
    product = store.by_sku(tx.conn, sku)
    if product is None:
        raise NotFound(f"SKU {sku!r} is not in the catalog")
    return product


def resolve_scan(tx: Tx, code: str) -> ScanResult:
    """The product behind a scanned code. In-store weighed codes (prefix 20–29) carry a weight or a
    price; every other code must be a GTIN with a right check digit and be in the catalog."""
    code = code.strip()
    try:
        weighed = gtin.parse_weighed(code, store_config(tx).weighed_barcodes.layout())
        if weighed is None:
            gtin.check_barcode(code)
    except gtin.BarcodeError as exc:
        raise Invalid(str(exc)) from exc
    if weighed is None:
        product = store.by_barcode(tx.conn, code)
        if product is None or not product.active:
            raise NotFound(f"barcode {code} is not in the catalog")
        return ScanResult(product=product, barcode=code)
    product = store.by_plu(tx.conn, normal_plu(weighed.item_code))
    if product is None or not product.active:
        raise NotFound(
            f"barcode {code} is an in-store code for item {weighed.item_code}, which is not in the catalog"
        )
    if weighed.kind == "weight":
        if weighed.value <= 0:
            raise Invalid(f"barcode {code} carries no weight")
        return ScanResult(product=product, barcode=code, quantity_milli=weighed.value)
    if product.price_cents <= 0:
        raise Invalid(f"{product.name} has no price per kg, so the price in barcode {code} cannot be weighed")
    quantity = max(1, round_half_up_div(weighed.value * 1000, product.price_cents))
    return ScanResult(product=product, barcode=code, quantity_milli=quantity, amount_cents=weighed.value)


def find_by_barcode(tx: Tx, code: str) -> list[Product]:
    try:
        return [resolve_scan(tx, code).product]
    except NotFound:
        return []


def fts_query(text: str) -> str | None:
    """Each word as a prefix, all required: 'maiz mea' finds 'White Maize Meal 10 kg'."""
    words = re.findall(r"\w+", text.lower())
    return " AND ".join(f'"{w}"*' for w in words[:8]) or None


def search(tx: Tx, text: str | None, limit: int, include_inactive: bool = False) -> list[Product]:
    return store.search(tx.conn, fts_query(text or ""), max(1, min(limit, 200)), include_inactive)


def _check_fields(name: str | None, price_cents: int | None, plu: str | None) -> None:
    if name is not None and not 1 <= len(name.strip()) <= 120:
        raise Invalid("a product name is 1–120 characters")
    if price_cents is not None and not 0 <= price_cents <= MAX_PRICE_CENTS:
        raise Invalid("price_cents must be from 0 to 100000000 (M1,000,000.00)")
    if plu is not None and not (plu.isdigit() and 1 <= len(plu) <= 6):
        raise Invalid("a PLU (weighed item code) is 1–6 digits")


def _check_barcodes(tx: Tx, codes: list[str], sku: str) -> list[str]:
    checked = []
    for raw in codes:
        try:
            code = gtin.check_barcode(raw)
        except gtin.BarcodeError as exc:
            raise Invalid(str(exc)) from exc
        owner = store.barcode_owner(tx.conn, code)
        if owner is not None and owner != sku:
            raise Conflict(f"barcode {code} already belongs to SKU {owner}")
        if code not in checked:
            checked.append(code)
    return checked


def create_product(tx: Tx, actor: Actor | None, new: NewProduct) -> Product:
    if not _SKU.match(new.sku):
        raise Invalid("a SKU is 1–40 letters, digits, '.', '_', '-' or '/'")
    _check_fields(new.name, new.price_cents, new.plu)
    if store.by_sku(tx.conn, new.sku) is not None:
        raise Conflict(f"SKU {new.sku} already exists")
    codes = _check_barcodes(tx, new.barcodes, new.sku)
    plu = normal_plu(new.plu) if new.plu is not None else None
    if plu is not None and store.by_plu(tx.conn, plu) is not None:
        raise Conflict(f"PLU {plu} already belongs to another product")
    product = Product(
        id=0,
        sku=new.sku,
        name=new.name.strip(),
        price_cents=new.price_cents,
        vat_class=new.vat_class,
        unit=new.unit,
        category=new.category.strip(),
        barcodes=codes,
        plu=plu,
    )
    store.insert(tx.conn, product, tx.at)
    tx.audit(
        "product.created", actor.username if actor else None, None, sku=new.sku, price_cents=new.price_cents
    )
    return product_by_sku(tx, new.sku)


def change_product(tx: Tx, actor: Actor | None, sku: str, change: ProductChange) -> Product:
    product = product_by_sku(tx, sku)
    _check_fields(change.name, change.price_cents, change.plu)
    fields = {
        k: v
        for k, v in {
            "name": change.name.strip() if change.name else None,
            "price_cents": change.price_cents,
            "vat_class": change.vat_class,
            "category": change.category,
            "unit": change.unit,
            "plu": normal_plu(change.plu) if change.plu else None,
            "active": None if change.active is None else int(change.active),
        }.items()
        if v is not None
    }
    if change.plu and (owner := store.by_plu(tx.conn, normal_plu(change.plu))) and owner.sku != sku:
        raise Conflict(f"PLU {change.plu} already belongs to SKU {owner.sku}")
    added = _check_barcodes(tx, change.add_barcodes, sku)
    if not fields and not added and not change.remove_barcodes:
        raise Invalid("nothing to change")
    if fields:
        store.update(tx.conn, product.id, tx.at, fields)
    store.add_barcodes(tx.conn, product.id, [c for c in added if c not in product.barcodes])
    store.remove_barcodes(tx.conn, product.id, change.remove_barcodes)
    who = actor.username if actor else None
    if change.price_cents is not None and change.price_cents != product.price_cents:
        tx.audit(
            "price.changed", who, None, sku=sku, old_cents=product.price_cents, new_cents=change.price_cents
        )
    tx.audit(
        "product.changed",
        who,
        None,
        sku=sku,
        fields=sorted(fields),
        barcodes_added=added,
        barcodes_removed=change.remove_barcodes,
    )
    return product_by_sku(tx, sku)
