"""The store's business settings and VAT rates: configuration, changed at runtime (later by HQ)."""

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Literal

import msgspec

from aiwebpos_edge import vat
from aiwebpos_edge.barcodes import DEFAULT_WEIGHED_LAYOUT, WeighedLayout
from aiwebpos_edge.errors import Invalid
from aiwebpos_edge.tx import Actor, Tx


class WeighedBarcodes(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Layout of in-store EAN-13 codes: prefix 20–29 → price or weight, then item code and value."""

    prefixes: dict[str, Literal["price", "weight"]]
    item_digits: int = 5
    value_digits: int = 5
    value_check_digit: bool = False

    def layout(self) -> WeighedLayout:
        """Checked on every scan of a barcode: built once per distinct layout (it is frozen)."""
        return _layout(
            tuple(sorted(self.prefixes.items())), self.item_digits, self.value_digits, self.value_check_digit
        )


@lru_cache(maxsize=8)
def _layout(
    prefixes: tuple[tuple[str, Literal["price", "weight"]], ...], item: int, value: int, check: bool
) -> WeighedLayout:
    return WeighedLayout(dict(prefixes), item, value, check)


def _default_weighed() -> WeighedBarcodes:
    d = DEFAULT_WEIGHED_LAYOUT
    return WeighedBarcodes(
        prefixes=dict(d.prefixes),
        item_digits=d.item_digits,
        value_digits=d.value_digits,
        value_check_digit=d.value_check_digit,
    )


class StoreConfig(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):  # shared: see below
    discount_limit_percent: str = "10"  # a line or sale discount above this needs a manager
    cash_rounding_cents: Literal[0, 5, 10] = 0  # round cash totals to 5 or 10 lisente; 0 = none
    return_approval_limit_cents: int = 50_000  # refunds above this need a manager
    void_approval_limit_cents: int = 10_000  # voiding a line worth more than this needs a manager
    max_cash_tender_cents: int = 5_000_000  # a typo guard: no single cash tender above this
    weighed_barcodes: WeighedBarcodes = msgspec.field(default_factory=_default_weighed)
    receipt_footer: str = "Thank you for shopping with us"
    quick_keys: list[str] = []  # SKUs on the till's favourites grid (bread from the bakery, airtime…)

    def discount_limit(self) -> Decimal:
        return Decimal(self.discount_limit_percent)


class StoreConfigChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    discount_limit_percent: str | None = None
    cash_rounding_cents: Literal[0, 5, 10] | None = None
    return_approval_limit_cents: int | None = None
    void_approval_limit_cents: int | None = None
    max_cash_tender_cents: int | None = None
    weighed_barcodes: WeighedBarcodes | None = None
    receipt_footer: str | None = None
    quick_keys: list[str] | None = None


# Every scan prices its sale with the settings and the VAT rates. Parsing them is what costs (~5 % of a
# till request on a Pi); the rows themselves are a cheap read. So the parsed value is kept by the rows'
# exact content: a change (or a change rolled back) is new content, and nothing needs invalidating.
_ConfigRows = tuple[tuple[str, str], ...]
_RateRows = tuple[tuple[vat.VatClass, int, str], ...]


@lru_cache(maxsize=8)
def _parsed_config(rows: _ConfigRows) -> StoreConfig:
    return msgspec.convert({key: json.loads(value) for key, value in rows}, StoreConfig)


@lru_cache(maxsize=8)
def _parsed_rates(rows: _RateRows) -> tuple[vat.VatRate, ...]:
    return tuple(vat.VatRate(cls, bp, date.fromisoformat(since)) for cls, bp, since in rows)


def store_config(tx: Tx) -> StoreConfig:
    rows = tx.conn.execute("SELECT key, value FROM config ORDER BY key").fetchall()
    return _parsed_config(tuple((key, value) for key, value in rows))


def change_config(tx: Tx, actor: Actor | None, change: StoreConfigChange) -> StoreConfig:
    values = {k: v for k, v in msgspec.structs.asdict(change).items() if v is not None}
    if not values:
        raise Invalid("nothing to change")
    merged = msgspec.to_builtins(store_config(tx)) | msgspec.to_builtins(values)
    try:
        config = msgspec.convert(merged, StoreConfig)
        limit = config.discount_limit()
    except (msgspec.ValidationError, InvalidOperation) as exc:
        raise Invalid(f"bad setting: {exc}") from exc
    if not Decimal(0) <= limit <= Decimal(100):
        raise Invalid("discount_limit_percent must be between 0 and 100")
    if (
        min(config.return_approval_limit_cents, config.void_approval_limit_cents) < 0
        or config.max_cash_tender_cents <= 0
    ):
        raise Invalid("limits must be positive amounts in lisente")
    try:
        config.weighed_barcodes.layout()
    except ValueError as exc:
        raise Invalid(f"weighed_barcodes: {exc}") from exc
    for key, value in msgspec.to_builtins(values).items():
        tx.conn.execute(
            "INSERT INTO config (key, value, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (key, json.dumps(value), tx.at),
        )
    tx.audit("config.changed", actor.username if actor else None, None, changes=msgspec.to_builtins(values))
    return config


class VatRateIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    vat_class: vat.VatClass
    rate_percent: str
    effective_from: date


class VatRateOut(msgspec.Struct, kw_only=True):
    vat_class: vat.VatClass
    rate_percent: str
    effective_from: date


def vat_rates(tx: Tx) -> list[vat.VatRate]:
    rows = tx.conn.execute(
        "SELECT vat_class, rate_bp, effective_from FROM vat_rates ORDER BY effective_from, vat_class, rate_bp"
    ).fetchall()
    return list(_parsed_rates(tuple((cls, bp, since) for cls, bp, since in rows)))


def rates_on(tx: Tx, day: date) -> dict[vat.VatClass, int]:
    rates = vat_rates(tx)
    return {cls: vat.rate_on(rates, cls, day) for cls in vat.VAT_CLASSES}


def add_vat_rate(tx: Tx, actor: Actor | None, rate: VatRateIn) -> VatRateOut:
    """Schedule a rate; it applies to sales on and after its date, never to receipts already issued."""
    try:
        bp = Decimal(rate.rate_percent) * 100
    except InvalidOperation as exc:
        raise Invalid(f"{rate.rate_percent!r} is not a percentage") from exc
    if bp != bp.to_integral_value() or not 0 <= bp < 10000:
        raise Invalid("a VAT rate is a percentage from 0 to 99.99 with at most two decimals")
    if rate.vat_class in ("zero", "exempt") and bp != 0:
        raise Invalid(f"the {rate.vat_class} class always has a 0 % rate")
    tx.conn.execute(
        "INSERT INTO vat_rates (vat_class, rate_bp, effective_from) VALUES (?, ?, ?)"
        " ON CONFLICT (vat_class, effective_from) DO UPDATE SET rate_bp = excluded.rate_bp",
        (rate.vat_class, int(bp), rate.effective_from.isoformat()),
    )
    tx.audit(
        "vat_rate.set",
        actor.username if actor else None,
        None,
        vat_class=rate.vat_class,
        rate_percent=vat.rate_percent(int(bp)),
        effective_from=rate.effective_from.isoformat(),
    )
    return VatRateOut(
        vat_class=rate.vat_class, rate_percent=vat.rate_percent(int(bp)), effective_from=rate.effective_from
    )


class StoreInfo(msgspec.Struct, kw_only=True):
    store_id: str
    name: str
    address: str
    vat_number: str


def store_info(tx: Tx) -> StoreInfo:
    row = tx.conn.execute("SELECT store_id, name, address, vat_number FROM store").fetchone()
    return StoreInfo(store_id=row[0], name=row[1], address=row[2], vat_number=row[3])
