"""Commands from the cloud to a store (`aiwebpos/v1/stores/{store_id}/commands`).

Each has a `command_id` (the idempotency key: a store applies it once however often it arrives) and a
`type` naming its body. The store answers each with a `command.result` event.
"""

from typing import Any, Literal, get_args

import msgspec

from aiwebpos_contracts.receipts import VatClass


class ProductUpsert(msgspec.Struct, kw_only=True):
    """Create the product, or change it to these values (catalog master and price lists from HQ)."""

    sku: str
    name: str
    price_cents: int
    vat_class: VatClass
    unit: Literal["each", "kg"] = "each"
    category: str = ""
    barcodes: list[str] = []
    plu: str | None = None
    active: bool = True


class PriceSet(msgspec.Struct, kw_only=True):
    sku: str
    price_cents: int


# The roles a store node knows (its permission matrix is the node's own); HQ checks pushed users by them.
StoreRole = Literal["admin", "cashier", "manager", "analyst", "logistics", "hr"]
STORE_ROLES: tuple[StoreRole, ...] = get_args(StoreRole)


class UserUpsert(msgspec.Struct, kw_only=True):
    username: str
    roles: list[str]
    password: str | None = None  # required when the user is new
    pin: str | None = None
    full_name: str = ""
    active: bool = True


class VatRateSet(msgspec.Struct, kw_only=True):
    vat_class: VatClass
    rate_percent: str
    effective_from: str  # ISO date


class CatalogUpsert(msgspec.Struct, kw_only=True):
    products: list[ProductUpsert]


class PricesSet(msgspec.Struct, kw_only=True):
    prices: list[PriceSet]


# type → Struct of its body; `config.set` carries the store rules to change (the node's PUT /api/v1/config)
# and is checked by the node itself.
COMMAND_BODIES: dict[str, type[msgspec.Struct] | None] = {
    "catalog.upsert": CatalogUpsert,
    "price.set": PricesSet,
    "user.upsert": UserUpsert,
    "config.set": None,
    "vat_rate.set": VatRateSet,
}


class Command(msgspec.Struct, kw_only=True):
    command_id: str
    type: str
    issued_at: str
    body: dict[str, Any]
    issued_by: str | None = None
