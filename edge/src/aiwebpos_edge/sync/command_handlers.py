"""What each cloud command does at the store: plain service calls, as if an admin had made them."""

from collections.abc import Callable
from datetime import date
from typing import Any

import msgspec

from aiwebpos_contracts.commands import COMMAND_BODIES, CatalogUpsert, PricesSet, UserUpsert, VatRateSet
from aiwebpos_edge.auth import store as users
from aiwebpos_edge.auth.service import NewUser, UserChange, change_user, create_user
from aiwebpos_edge.catalog import store as catalog
from aiwebpos_edge.catalog.models import NewProduct, ProductChange
from aiwebpos_edge.catalog.service import change_product, create_product
from aiwebpos_edge.config.service import StoreConfigChange, VatRateIn, add_vat_rate, change_config
from aiwebpos_edge.errors import Invalid
from aiwebpos_edge.tx import Actor, Tx

HQ = Actor(user_id=0, username="hq", roles=("admin",))
Handler = Callable[[Tx, bytes, Any], list[str]]  # → the sessions it ended


def _catalog(tx: Tx, secret: bytes, body: CatalogUpsert) -> list[str]:
    """HQ's catalog master is the truth: a product takes the master's fields, barcodes included (one
    HQ removed goes here too), and a product new here but off sale at HQ arrives off sale."""
    # The barcodes the master took off products go first: one that moved to another product in the
    # same push is free by the time that product takes it, whatever the order of the products.
    for p in body.products:
        existing = catalog.by_sku(tx.conn, p.sku)
        dropped = [c for c in existing.barcodes if c not in p.barcodes] if existing else []
        if dropped:
            change_product(tx, HQ, p.sku, ProductChange(remove_barcodes=dropped))
    for p in body.products:
        existing = catalog.by_sku(tx.conn, p.sku)
        if existing is None:
            create_product(
                tx,
                HQ,
                NewProduct(
                    sku=p.sku,
                    name=p.name,
                    price_cents=p.price_cents,
                    vat_class=p.vat_class,
                    barcodes=p.barcodes,
                    unit=p.unit,
                    category=p.category,
                    plu=p.plu,
                ),
            )
            if not p.active:
                change_product(tx, HQ, p.sku, ProductChange(active=False))
        else:
            change_product(
                tx,
                HQ,
                p.sku,
                ProductChange(
                    name=p.name,
                    price_cents=p.price_cents,
                    vat_class=p.vat_class,
                    category=p.category,
                    unit=p.unit,
                    plu=p.plu,
                    active=p.active,
                    add_barcodes=[c for c in p.barcodes if c not in existing.barcodes],
                ),
            )
    return []


def _prices(tx: Tx, secret: bytes, body: PricesSet) -> list[str]:
    for price in body.prices:
        change_product(tx, HQ, price.sku, ProductChange(price_cents=price.price_cents))
    return []


def _user(tx: Tx, secret: bytes, body: UserUpsert) -> list[str]:
    if users.user_by_name(tx.conn, body.username) is None:
        if body.password is None:
            raise Invalid(f"user {body.username} is new: a password is needed")
        create_user(
            tx,
            secret,
            HQ,
            NewUser(
                username=body.username,
                password=body.password,
                roles=body.roles,
                pin=body.pin,
                full_name=body.full_name,
            ),
        )
        return []
    change = UserChange(
        password=body.password, roles=body.roles, pin=body.pin, full_name=body.full_name, active=body.active
    )
    return change_user(tx, secret, HQ, body.username, change)[1]


def _config(tx: Tx, secret: bytes, body: dict[str, Any]) -> list[str]:
    change_config(tx, HQ, msgspec.convert(body, StoreConfigChange))
    return []


def _vat_rate(tx: Tx, secret: bytes, body: VatRateSet) -> list[str]:
    rate = VatRateIn(
        vat_class=body.vat_class,
        rate_percent=body.rate_percent,
        effective_from=date.fromisoformat(body.effective_from),
    )
    add_vat_rate(tx, HQ, rate)
    return []


HANDLERS: dict[str, Handler] = {
    "catalog.upsert": _catalog,
    "price.set": _prices,
    "user.upsert": _user,
    "config.set": _config,
    "vat_rate.set": _vat_rate,
}


def parse_body(command_type: str, body: dict[str, Any]) -> Any:
    if command_type not in HANDLERS:
        raise Invalid(f"unknown command type {command_type!r}")
    struct = COMMAND_BODIES.get(command_type)
    return body if struct is None else msgspec.convert(body, struct)
