"""Returns against a receipt: partial, never more than was sold net of earlier returns, refunded in a
chosen tender, approved by a manager above the store's limit; the stock comes back."""

from decimal import Decimal

import msgspec

from aiwebpos_contracts import uuid7
from aiwebpos_contracts.events import ReturnCompleted, ReturnedLine
from aiwebpos_contracts.receipts import PaymentRecord, Receipt, ReceiptLine, VatBreakdown
from aiwebpos_edge.auth.service import approve
from aiwebpos_edge.config.service import store_config, store_info
from aiwebpos_edge.customers.service import post_entry
from aiwebpos_edge.errors import Conflict, Invalid, NotFound
from aiwebpos_edge.inventory.service import record_movement
from aiwebpos_edge.money import QuantityError, format_quantity, parse_quantity
from aiwebpos_edge.returns import store
from aiwebpos_edge.returns.models import NewReturn
from aiwebpos_edge.returns.refunds import refund_for
from aiwebpos_edge.sales.receipt import receipt_number
from aiwebpos_edge.sales.store import next_receipt_number
from aiwebpos_edge.shifts.service import open_shift_of
from aiwebpos_edge.tx import Actor, Tx
from aiwebpos_edge.vat import VatClass, rate_percent, vat_breakdown


def _money(cents: int) -> str:
    return f"M{cents / 100:,.2f}"


def create_return(tx: Tx, secret: bytes, actor: Actor, new: NewReturn) -> Receipt:
    sale = store.completed_sale_by_receipt(tx.conn, new.receipt_no)
    if sale is None:
        if store.is_credit_note(tx.conn, new.receipt_no):
            raise Conflict(
                f"{new.receipt_no} is a refund receipt: return against the original sale's receipt"
            )
        raise NotFound(f"no completed sale with receipt {new.receipt_no} at this store")
    reason = new.reason.strip()
    if not reason:
        raise Invalid("a return needs a reason")
    if not new.lines:
        raise Invalid("choose at least one line to return")
    if len({line.line_id for line in new.lines}) != len(new.lines):
        raise Invalid("each line may be listed once")
    original = msgspec.json.decode(sale["receipt"], type=Receipt)
    sold_lines = {line.line_id: line for line in original.lines}
    rows = store.sale_lines(tx.conn, sale["id"])
    returned = store.returned_so_far(tx.conn, sale["id"])
    picked: list[tuple[ReceiptLine, int, int]] = []  # (original line, quantity, refund)
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
        picked.append((line, quantity, refund_for(line.total_cents, sold, before, quantity)))
    refund = sum(r for _, _, r in picked)
    shift_id = open_shift_of(tx, new.terminal_id)
    if new.refund_method == "cash" and shift_id is None:
        raise Conflict(f"a cash refund comes out of a drawer: terminal {new.terminal_id} has no open shift")
    if new.refund_method in ("card", "mobile_money") and not (new.reference or "").strip():
        raise Invalid(f"a {new.refund_method.replace('_', ' ')} refund needs its reference")
    if new.refund_method == "account" and sale["customer_id"] is None:
        raise Conflict(f"receipt {new.receipt_no} was not sold to a customer account: refund another way")
    approver = None
    if refund > store_config(tx).return_approval_limit_cents:
        approver = approve(tx, secret, actor, new.approver_pin, f"a refund of {_money(refund)}")
    # A credit note reverses VAT at the rates the original receipt charged, whatever the rate is today.
    rates: dict[VatClass, int] = {line.vat_class: int(Decimal(line.vat_rate) * 100) for line, _, _ in picked}
    vat = vat_breakdown([(line.vat_class, -r) for line, _, r in picked], rates)
    number = receipt_number(tx.store_id, new.terminal_id, next_receipt_number(tx.conn, new.terminal_id))
    info = store_info(tx)
    credit_lines = [
        ReceiptLine(
            line_id=line.line_id,
            sku=line.sku,
            name=line.name,
            quantity=format_quantity(-q, line.unit),
            unit=line.unit,
            unit_price_cents=line.unit_price_cents,
            discount_cents=0,
            total_cents=-r,
            vat_class=line.vat_class,
            vat_rate=line.vat_rate,
        )
        for line, q, r in picked
    ]
    credit_note = Receipt(
        receipt_no=number,
        sale_id=sale["id"],
        store_id=tx.store_id,
        terminal_id=new.terminal_id,
        cashier=actor.username,
        completed_at=tx.at,
        lines=credit_lines,
        total_cents=-refund,
        vat_cents=sum(v.vat_cents for v in vat),
        vat_breakdown=[
            VatBreakdown(
                vat_class=v.vat_class,
                rate=rate_percent(v.rate_bp),
                gross_cents=v.gross_cents,
                net_cents=v.net_cents,
                vat_cents=v.vat_cents,
            )
            for v in vat
        ],
        payments=[
            PaymentRecord(
                payment_id=0,
                method=new.refund_method,
                amount_cents=-refund,
                reference=new.reference,
                customer_id=sale["customer_id"],
            )
        ],
        paid_cents=-refund,
        change_cents=0,
        vat_number=info.vat_number,
        document="credit_note",
        store_name=info.name,
        store_address=info.address,
        shift_id=shift_id,
        subtotal_cents=-refund,
        total_due_cents=-refund,
        buyer=original.buyer,
        customer_id=sale["customer_id"],
        original_receipt_no=new.receipt_no,
    )
    return_id = str(uuid7())
    store.insert_return(
        tx.conn,
        id=return_id,
        sale_id=sale["id"],
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
    for line, quantity, line_refund in picked:
        store.insert_return_line(tx.conn, return_id, line.line_id, quantity, line_refund)
        record_movement(
            tx,
            product_id=rows[line.line_id]["product_id"],
            quantity_milli=quantity,
            kind="return",
            reference=number,
            reason=reason,
            user_id=actor.user_id,
        )
    if new.refund_method == "account" and refund:
        post_entry(
            tx,
            actor,
            sale["customer_id"],
            "refund",
            -refund,
            sale_id=sale["id"],
            reference=number,
            method="account",
            shift_id=shift_id,
        )
    tx.emit(
        ReturnCompleted(
            return_id=return_id,
            receipt=credit_note,
            original_receipt_no=new.receipt_no,
            original_sale_id=sale["id"],
            refund_method=new.refund_method,
            refund_cents=refund,
            reason=reason,
            cashier=actor.username,
            approved_by=approver.username if approver else None,
            lines=[
                ReturnedLine(
                    line_id=line.line_id,
                    sku=line.sku,
                    name=line.name,
                    quantity=format_quantity(q, line.unit),
                    refund_cents=r,
                    vat_class=line.vat_class,
                )
                for line, q, r in picked
            ],
        ),
        new.terminal_id,
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
        approved_by=approver.username if approver else None,
    )
    return credit_note
