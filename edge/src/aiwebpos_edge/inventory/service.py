"""Stock: every change is a movement, and on hand is always the sum of the movements.

Sales and returns record their movements without an event (their own events carry the lines);
adjustments, receipts of goods and counts emit `stock.moved` with the new on-hand.
"""

import re
from typing import Literal, cast, get_args

import msgspec

from aiwebpos_contracts.events import StockMoved
from aiwebpos_edge.catalog import service as catalog
from aiwebpos_edge.errors import Invalid
from aiwebpos_edge.inventory import store
from aiwebpos_edge.money import QuantityError, QuantityUnit, format_quantity, parse_quantity
from aiwebpos_edge.tx import Actor, Tx

MovementKind = Literal["sale", "return", "adjustment", "receipt", "count", "transfer_in", "transfer_out"]
_KINDS: frozenset[str] = frozenset(get_args(MovementKind))
_ZERO = re.compile(r"[+-]?(0+\.?0*|\.0+)")


class StockAdjustment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """`quantity`: signed and non-zero for an adjustment ("-2"), positive for a receipt of goods, and
    for a count the on-hand counted on the shelf (≥ 0), from which the movement is worked out."""

    sku: str
    kind: Literal["adjustment", "receipt", "count"]
    quantity: str
    reason: str
    reference: str | None = None  # a delivery note, a count sheet


class MovementOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    quantity: str
    created_at: str
    reference: str | None = None
    reason: str | None = None
    user: str | None = None


class AdjustmentOut(msgspec.Struct, kw_only=True):
    sku: str
    on_hand: str
    movement: MovementOut


class StockOut(msgspec.Struct, kw_only=True):
    sku: str
    name: str
    unit: QuantityUnit
    on_hand: str
    movements: list[MovementOut]


def on_hand(tx: Tx, product_id: int) -> int:
    """On hand in milli-units: the sum of all the product's movements."""
    return store.on_hand(tx.conn, product_id)


def record_movement(
    tx: Tx,
    *,
    product_id: int,
    quantity_milli: int,
    kind: str,
    reference: str | None,
    reason: str | None,
    user_id: int | None,
    emit_sku: str | None = None,
) -> None:
    _record(tx, product_id, quantity_milli, kind, reference, reason, user_id, emit_sku)


def _record(
    tx: Tx,
    product_id: int,
    quantity_milli: int,
    kind: str,
    reference: str | None,
    reason: str | None,
    user_id: int | None,
    emit_sku: str | None,
) -> int:
    if kind not in _KINDS:
        raise ValueError(f"unknown stock movement kind {kind!r}")
    movement_id = store.insert_movement(
        tx.conn,
        product_id=product_id,
        quantity_milli=quantity_milli,
        kind=kind,
        reference=reference,
        reason=reason,
        user_id=user_id,
        at=tx.at,
    )
    if emit_sku is not None:
        unit = catalog.product_by_sku(tx, emit_sku).unit
        moved = StockMoved(
            sku=emit_sku,
            quantity=format_quantity(quantity_milli, unit),
            kind=cast(MovementKind, kind),
            reference=reference,
            reason=reason,
            on_hand=format_quantity(store.on_hand(tx.conn, product_id), unit),
        )
        tx.emit(moved)
    return movement_id


def _quantity(text: str, unit: QuantityUnit, kind: str) -> int:
    """The quantity typed for `kind` in milli-units (signed for an adjustment, ≥ 0 for a count)."""
    stripped = text.strip()
    if _ZERO.fullmatch(stripped):
        if kind == "count":
            return 0
        raise Invalid(f"a {kind} of zero changes nothing: give the quantity that moved")
    negative = kind == "adjustment" and stripped.startswith("-")
    body = stripped[1:] if kind == "adjustment" and stripped.startswith(("-", "+")) else stripped
    try:
        milli = parse_quantity(body, unit)
    except QuantityError as exc:
        raise Invalid(f"{kind} quantity {text!r}: {exc}") from exc
    return -milli if negative else milli


def _movement_out(row: store.MovementRow, unit: QuantityUnit) -> MovementOut:
    return MovementOut(
        id=row.id,
        kind=row.kind,
        quantity=format_quantity(row.quantity_milli, unit),
        created_at=row.created_at,
        reference=row.reference,
        reason=row.reason,
        user=row.username,
    )


def adjust_stock(tx: Tx, actor: Actor, data: StockAdjustment) -> AdjustmentOut:
    reason = data.reason.strip()
    if not reason:
        raise Invalid("say why the stock changes (the reason is recorded)")
    product = catalog.product_by_sku(tx, data.sku.strip())
    quantity = _quantity(data.quantity, product.unit, data.kind)
    before = store.on_hand(tx.conn, product.id)
    moved = quantity - before if data.kind == "count" else quantity
    reference = (data.reference or "").strip() or None
    movement_id = _record(tx, product.id, moved, data.kind, reference, reason, actor.user_id, product.sku)
    after = store.on_hand(tx.conn, product.id)
    tx.audit(
        "stock.adjusted",
        actor.username,
        actor.terminal_id,
        sku=product.sku,
        kind=data.kind,
        quantity=format_quantity(moved, product.unit),
        on_hand_before=format_quantity(before, product.unit),
        on_hand=format_quantity(after, product.unit),
        reason=reason,
        reference=reference,
    )
    movement = store.movement_by_id(tx.conn, movement_id)
    assert movement is not None
    return AdjustmentOut(
        sku=product.sku,
        on_hand=format_quantity(after, product.unit),
        movement=_movement_out(movement, product.unit),
    )


def stock_of(tx: Tx, sku: str) -> StockOut:
    product = catalog.product_by_sku(tx, sku)
    return StockOut(
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        on_hand=format_quantity(store.on_hand(tx.conn, product.id), product.unit),
        movements=[_movement_out(m, product.unit) for m in store.latest_movements(tx.conn, product.id)],
    )
