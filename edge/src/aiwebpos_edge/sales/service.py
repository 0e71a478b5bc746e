"""Building a sale at the till: lines, voids, discounts, overrides, suspend, resume, cancel."""

from decimal import Decimal, InvalidOperation

from aiwebpos_contracts import uuid7
from aiwebpos_contracts.events import SaleCancelled
from aiwebpos_edge.auth.service import approve
from aiwebpos_edge.catalog.service import product_by_sku, resolve_scan
from aiwebpos_edge.customers.service import require_customer
from aiwebpos_edge.errors import Conflict, Invalid
from aiwebpos_edge.money import QuantityError, parse_quantity
from aiwebpos_edge.sales import store
from aiwebpos_edge.sales.models import AddLine, GiveDiscount, NewSale, OverridePrice, SaleView
from aiwebpos_edge.sales.pricing import discount_percent
from aiwebpos_edge.sales.receipt import receipt_lines
from aiwebpos_edge.sales.state import SaleState, load_sale, require_status, sale_view
from aiwebpos_edge.shifts.service import require_open_shift
from aiwebpos_edge.tx import Actor, Tx


def _reason(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid(f"{what} needs a reason")
    return reason[:200]


def open_sale(tx: Tx, actor: Actor, new: NewSale) -> SaleView:
    require_open_shift(tx, new.shift_id, new.terminal_id)
    sale_id = str(uuid7())
    store.insert_sale(
        tx.conn,
        sale_id=sale_id,
        terminal_id=new.terminal_id,
        shift_id=new.shift_id,
        user_id=actor.user_id,
        at=tx.at,
    )
    return sale_view(load_sale(tx, sale_id))


def add_line(tx: Tx, actor: Actor, sale_id: str, add: AddLine) -> SaleView:
    require_status(tx, sale_id, "open")  # the hot path of every scan: one whole load, after the insert
    if (add.barcode is None) == (add.sku is None):
        raise Invalid("give either a barcode or a sku")
    if add.barcode is not None:
        scan = resolve_scan(tx, add.barcode)
        product, barcode, quantity, amount = (
            scan.product,
            scan.barcode,
            scan.quantity_milli,
            scan.amount_cents,
        )
    else:
        product, barcode, quantity, amount = product_by_sku(tx, add.sku or ""), None, None, None
        if not product.active:
            raise Conflict(f"{product.name} ({product.sku}) is no longer sold")
    if add.quantity is not None:
        if amount is not None:
            raise Invalid(f"barcode {barcode} already carries its price: no quantity can be given")
        try:
            quantity = parse_quantity(add.quantity, product.unit)
        except QuantityError as exc:
            raise Invalid(str(exc)) from exc
    if quantity is None:
        if product.unit == "kg":
            raise Invalid(f"{product.name} is sold by weight: weigh it and give the quantity in kg")
        quantity = 1000
    store.insert_line(
        tx.conn,
        sale_id=sale_id,
        product_id=product.id,
        sku=product.sku,
        name=product.name,
        unit=product.unit,
        vat_class=product.vat_class,
        barcode=barcode,
        quantity_milli=quantity,
        unit_price_cents=product.price_cents,
        list_price_cents=product.price_cents,
        amount_cents=amount,
        created_at=tx.at,
    )
    store.update_sale(tx.conn, sale_id, tx.at)
    return sale_view(load_sale(tx, sale_id))


def void_line(
    tx: Tx, secret: bytes, actor: Actor, sale_id: str, line_id: int, reason: str, approver_pin: str | None
) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("open")
    line = state.line(line_id)
    if line["voided"]:
        raise Conflict(f"line {line_id} is already voided")
    reason = _reason(reason, "voiding a line")
    value = next((p.total_cents for p in state.priced.lines if p.line_id == line_id), 0)
    approver = None
    if value > state.config.void_approval_limit_cents:
        approver = approve(tx, secret, actor, approver_pin, f"voiding {line['name']}")
    store.update_line(
        tx.conn, line_id, voided=1, void_reason=reason, voided_by=actor.user_id, voided_at=tx.at
    )
    tx.audit(
        "line.voided",
        actor.username,
        actor.terminal_id,
        sale_id=sale_id,
        line_id=line_id,
        sku=line["sku"],
        value_cents=value,
        reason=reason,
        approved_by=approver and approver.username,
    )
    return sale_view(load_sale(tx, sale_id))


def _parse_discount(give: GiveDiscount) -> tuple[str | None, int | None]:
    if (give.percent is None) == (give.amount_cents is None):
        raise Invalid("give either a percent or an amount_cents")
    if give.percent is not None:
        try:
            percent = Decimal(give.percent)
        except InvalidOperation as exc:
            raise Invalid(f"{give.percent!r} is not a percentage") from exc
        if not percent.is_finite() or not 0 <= percent <= 100 or percent != round(percent, 2):
            raise Invalid("a discount percentage is from 0 to 100, with at most two decimals")
        return (None if percent == 0 else str(percent.normalize())), None
    if give.amount_cents is not None and give.amount_cents < 0:
        raise Invalid("a discount amount cannot be negative")
    return None, give.amount_cents or None


def _approve_discount(
    tx: Tx, secret: bytes, actor: Actor, state: SaleState, effective: Decimal, give: GiveDiscount, what: str
) -> int | None:
    if effective <= state.config.discount_limit():
        return None
    limit = state.config.discount_limit_percent
    return approve(
        tx, secret, actor, give.approver_pin, f"a discount of {effective:.1f} % on {what} (over {limit} %)"
    ).user_id


def discount_line(
    tx: Tx, secret: bytes, actor: Actor, sale_id: str, line_id: int, give: GiveDiscount
) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("open")
    line = state.line(line_id)
    if line["voided"]:
        raise Conflict(f"line {line_id} is voided")
    priced = next(p for p in state.priced.lines if p.line_id == line_id)
    return _give_discount(tx, secret, actor, state, give, priced.gross_cents, line["name"], line_id)


def discount_sale(tx: Tx, secret: bytes, actor: Actor, sale_id: str, give: GiveDiscount) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("open")
    base = sum(p.gross_cents - p.line_discount_cents for p in state.priced.lines)
    return _give_discount(tx, secret, actor, state, give, base, "the whole sale", None)


def _give_discount(
    tx: Tx,
    secret: bytes,
    actor: Actor,
    state: SaleState,
    give: GiveDiscount,
    base_cents: int,
    what: str,
    line_id: int | None,
) -> SaleView:
    """Set (or clear, with 0) the discount of one line or of the whole sale, approved when over the limit."""
    percent, amount = _parse_discount(give)
    if amount is not None and amount > base_cents:
        raise Invalid(f"a discount of {amount} lisente is more than the {base_cents} of {what}")
    effective = Decimal(percent) if percent is not None else discount_percent(amount or 0, base_cents)
    approved_by = _approve_discount(tx, secret, actor, state, effective, give, what)
    values = {
        "discount_percent": percent,
        "discount_amount_cents": amount,
        "discount_approved_by": approved_by,
    }
    if line_id is None:
        store.update_sale(tx.conn, state.id, tx.at, **values)
    else:
        store.update_line(tx.conn, line_id, **values)
    tx.audit(
        "discount.given",
        actor.username,
        actor.terminal_id,
        sale_id=state.id,
        line_id=line_id,
        percent=percent,
        amount_cents=amount,
        reason=give.reason,
        approved_by=approved_by,
    )
    return sale_view(load_sale(tx, state.id))


def override_price(
    tx: Tx, secret: bytes, actor: Actor, sale_id: str, line_id: int, change: OverridePrice
) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("open")
    line = state.line(line_id)
    if line["voided"] or line["amount_cents"] is not None:
        raise Conflict(f"the price of line {line_id} cannot be changed (voided, or priced by its barcode)")
    if not 0 <= change.unit_price_cents <= 100_000_000:
        raise Invalid("unit_price_cents must be from 0 to 100000000")
    reason = _reason(change.reason, "a price override")
    approver = approve(tx, secret, actor, change.approver_pin, f"changing the price of {line['name']}")
    store.update_line(
        tx.conn,
        line_id,
        unit_price_cents=change.unit_price_cents,
        override_by=approver.user_id,
        override_reason=reason,
    )
    tx.audit(
        "price.overridden",
        actor.username,
        actor.terminal_id,
        sale_id=sale_id,
        line_id=line_id,
        sku=line["sku"],
        old_cents=line["unit_price_cents"],
        new_cents=change.unit_price_cents,
        reason=reason,
        approved_by=approver.username,
    )
    return sale_view(load_sale(tx, sale_id))


def set_customer(tx: Tx, actor: Actor, sale_id: str, customer_id: str | None) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("open")
    if customer_id is not None:
        require_customer(tx, customer_id)
    if any(p["method"] == "account" for p in state.payments):
        raise Conflict("the sale is already charged to an account: remove that payment first")
    store.update_sale(tx.conn, sale_id, tx.at, customer_id=customer_id)
    return sale_view(load_sale(tx, sale_id))


def suspend_sale(tx: Tx, actor: Actor, sale_id: str) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("open")
    if state.payments:
        raise Conflict("a sale with payments cannot be suspended: complete it, or remove the payments")
    store.update_sale(tx.conn, sale_id, tx.at, status="suspended")
    tx.audit("sale.suspended", actor.username, actor.terminal_id, sale_id=sale_id)
    return sale_view(load_sale(tx, sale_id))


def resume_sale(tx: Tx, actor: Actor, sale_id: str, terminal_id: str, shift_id: str) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("suspended")
    require_open_shift(tx, shift_id, terminal_id)
    store.update_sale(tx.conn, sale_id, tx.at, status="open", terminal_id=terminal_id, shift_id=shift_id)
    tx.audit("sale.resumed", actor.username, terminal_id, sale_id=sale_id)
    return sale_view(load_sale(tx, sale_id))


def cancel_sale(tx: Tx, actor: Actor, sale_id: str, reason: str) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("open", "suspended")
    reason = _reason(reason, "cancelling a sale")
    if any(p["method"] != "cash" for p in state.payments):
        raise Conflict(
            "the sale has card, mobile money or account payments: remove (reverse) them before cancelling"
        )
    store.update_sale(tx.conn, sale_id, tx.at, status="cancelled", cancel_reason=reason)
    tx.emit(
        SaleCancelled(
            sale_id=sale_id,
            shift_id=state.sale["shift_id"],
            cashier=actor.username,
            reason=reason,
            cancelled_at=tx.at,
            lines=receipt_lines(state),
            total_cents=state.priced.total_cents,
        ),
        state.sale["terminal_id"],
    )
    tx.audit(
        "sale.cancelled",
        actor.username,
        actor.terminal_id,
        sale_id=sale_id,
        reason=reason,
        total_cents=state.priced.total_cents,
        lines=len(state.priced.lines),
    )
    return sale_view(load_sale(tx, sale_id))
