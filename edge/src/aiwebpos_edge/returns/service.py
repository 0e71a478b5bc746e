"""Returns against a receipt: partial, never more than was sold net of earlier returns, refunded in a
chosen tender, approved by a manager above the store's limit; the stock comes back."""

import msgspec

from aiwebpos_contracts import uuid7
from aiwebpos_contracts.events import ReturnCompleted, ReturnedLine
from aiwebpos_contracts.receipts import Receipt
from aiwebpos_edge.auth.service import approve
from aiwebpos_edge.config.service import store_config, store_info
from aiwebpos_edge.customers.service import post_entry
from aiwebpos_edge.errors import Conflict, Invalid, NotFound
from aiwebpos_edge.formatting import format_maloti
from aiwebpos_edge.inventory.service import record_movement
from aiwebpos_edge.money import QuantityError, format_quantity, parse_quantity
from aiwebpos_edge.returns import store
from aiwebpos_edge.returns.credit_note import PickedLine, build_credit_note
from aiwebpos_edge.returns.models import NewReturn
from aiwebpos_edge.returns.refunds import refund_for
from aiwebpos_edge.sales.receipt import receipt_number
from aiwebpos_edge.sales.store import next_receipt_number
from aiwebpos_edge.scoring import fraud_store
from aiwebpos_edge.shifts.service import open_shift_of
from aiwebpos_edge.tx import Actor, Tx


def _original(tx: Tx, receipt_no: str) -> tuple[str, Receipt]:
    sale = store.completed_sale_by_receipt(tx.conn, receipt_no)
    if sale is None:
        if store.is_credit_note(tx.conn, receipt_no):
            raise Conflict(f"{receipt_no} is a refund receipt: return against the original sale's receipt")
        raise NotFound(f"no completed sale with receipt {receipt_no} at this store")
    return str(sale["id"]), msgspec.json.decode(sale["receipt"], type=Receipt)


def _pick(tx: Tx, sale_id: str, original: Receipt, new: NewReturn) -> list[PickedLine]:
    if not new.lines:
        raise Invalid("choose at least one line to return")
    if len({line.line_id for line in new.lines}) != len(new.lines):
        raise Invalid("each line may be listed once")
    sold_lines = {line.line_id: line for line in original.lines}
    rows = store.sale_lines(tx.conn, sale_id)
    returned = store.returned_so_far(tx.conn, sale_id)
    picked = []
    for wanted in new.lines:
        line, row = sold_lines.get(wanted.line_id), rows.get(wanted.line_id)
        if line is None or row is None:
            raise NotFound(f"receipt {new.receipt_no} has no line {wanted.line_id}")
        try:
            quantity = parse_quantity(wanted.quantity, row["unit"])
        except QuantityError as exc:
            raise Invalid(f"line {wanted.line_id}: {exc}") from exc
        before, sold = returned.get(wanted.line_id, 0), row["quantity_milli"]
        if before + quantity > sold:
            left = format_quantity(sold - before, row["unit"])
            raise Conflict(
                f"only {left} of {line.name} can still be returned on {new.receipt_no}", returnable=left
            )
        refund = refund_for(line.total_cents, sold, before, quantity)
        picked.append(PickedLine(line, quantity, refund, row["product_id"]))
    return picked


def _check_tender(tx: Tx, new: NewReturn, customer_id: str | None) -> str | None:
    """The terminal's open shift (a cash refund needs one: it comes out of that drawer)."""
    shift_id = open_shift_of(tx, new.terminal_id)
    if new.refund_method == "cash" and shift_id is None:
        raise Conflict(f"a cash refund comes out of a drawer: terminal {new.terminal_id} has no open shift")
    if new.refund_method in ("card", "mobile_money") and not (new.reference or "").strip():
        raise Invalid(f"a {new.refund_method.replace('_', ' ')} refund needs its reference")
    if new.refund_method == "account" and customer_id is None:
        raise Conflict(f"receipt {new.receipt_no} was not sold to a customer account: refund another way")
    return shift_id


def create_return(tx: Tx, secret: bytes, actor: Actor, new: NewReturn) -> Receipt:
    sale_id, original = _original(tx, new.receipt_no)
    reason = new.reason.strip()
    if not reason:
        raise Invalid("a return needs a reason")
    picked = _pick(tx, sale_id, original, new)
    shift_id = _check_tender(tx, new, original.customer_id)
    refund = sum(p.refund_cents for p in picked)
    approver = None
    if refund > store_config(tx).return_approval_limit_cents:
        approver = approve(tx, secret, actor, new.approver_pin, f"a refund of {format_maloti(refund)}")
    number = receipt_number(tx.store_id, new.terminal_id, next_receipt_number(tx.conn, new.terminal_id))
    credit_note = build_credit_note(
        original,
        picked,
        receipt_no=number,
        store=store_info(tx),
        terminal_id=new.terminal_id,
        cashier=actor.username,
        at=tx.at,
        refund_method=new.refund_method,
        reference=new.reference,
        shift_id=shift_id,
    )
    return_id = str(uuid7())
    store.insert_return(
        tx.conn,
        id=return_id,
        sale_id=sale_id,
        terminal_id=new.terminal_id,
        shift_id=shift_id,
        user_id=actor.user_id,
        approved_by=approver.user_id if approver else None,
        refund_method=new.refund_method,
        refund_cents=refund,
        reason=reason,
        receipt_no=number,
        receipt=msgspec.json.encode(credit_note).decode(),
        created_at=tx.at,
    )
    for p in picked:
        store.insert_return_line(tx.conn, return_id, p.line.line_id, p.quantity_milli, p.refund_cents)
        record_movement(
            tx,
            product_id=p.product_id,
            quantity_milli=p.quantity_milli,
            kind="return",
            reference=number,
            reason=reason,
            user_id=actor.user_id,
        )
    if new.refund_method == "account" and refund and original.customer_id:
        post_entry(
            tx,
            actor,
            original.customer_id,
            "refund",
            -refund,
            sale_id=sale_id,
            reference=number,
            method="account",
            shift_id=shift_id,
        )
    approved_by = approver.username if approver else None
    seq = tx.emit(
        ReturnCompleted(
            return_id=return_id,
            receipt=credit_note,
            original_receipt_no=new.receipt_no,
            original_sale_id=sale_id,
            refund_method=new.refund_method,
            refund_cents=refund,
            reason=reason,
            cashier=actor.username,
            approved_by=approved_by,
            lines=[
                ReturnedLine(
                    line_id=p.line.line_id,
                    sku=p.line.sku,
                    name=p.line.name,
                    quantity=format_quantity(p.quantity_milli, p.line.unit),
                    refund_cents=p.refund_cents,
                    vat_class=p.line.vat_class,
                )
                for p in picked
            ],
        ),
        new.terminal_id,
    )
    fraud_store.queue(
        tx,
        kind="return",
        ref=number,
        seq=seq,
        shift_id=shift_id,
        terminal_id=new.terminal_id,
        cashier=actor.username,
        total_cents=refund,
    )
    tx.audit(
        "return.completed",
        actor.username,
        new.terminal_id,
        receipt_no=new.receipt_no,
        credit_note=number,
        refund_cents=refund,
        refund_method=new.refund_method,
        reason=reason,
        approved_by=approved_by,
    )
    return credit_note
