"""Paying and completing a sale: tenders, change, the receipt number, stock, account and event."""

import msgspec

from aiwebpos_contracts.events import SaleCompleted
from aiwebpos_contracts.receipts import Buyer, Receipt
from aiwebpos_edge.config.service import store_info
from aiwebpos_edge.customers.service import check_credit, post_entry, require_customer
from aiwebpos_edge.errors import Conflict, Invalid, NotFound
from aiwebpos_edge.formatting import format_maloti
from aiwebpos_edge.inventory.service import record_movement
from aiwebpos_edge.sales import store
from aiwebpos_edge.sales.models import NewPayment, SaleView
from aiwebpos_edge.sales.receipt import build_receipt, receipt_number, voided_lines
from aiwebpos_edge.sales.state import load_sale, sale_view, with_new_payments
from aiwebpos_edge.scoring import fraud_store
from aiwebpos_edge.tx import Actor, Tx


def add_payment(tx: Tx, actor: Actor, sale_id: str, pay: NewPayment) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("open")
    if not state.priced.lines:
        raise Conflict("nothing has been scanned yet")
    if pay.amount_cents <= 0:
        raise Invalid("a payment must be more than zero")
    if pay.currency != "LSL" and pay.method != "cash":
        raise Invalid("only cash can be tendered in ZAR (taken at par)")
    reference = (pay.reference or "").strip() or None
    outstanding = state.settlement.outstanding_cents
    if pay.method == "cash":
        if pay.amount_cents > state.config.max_cash_tender_cents:
            raise Invalid(
                f"{format_maloti(pay.amount_cents)} in cash is more than one tender may be: check the amount"
            )
        if outstanding == 0:
            raise Conflict("the sale is already paid: complete it")
    elif pay.amount_cents > outstanding:
        raise Conflict(
            f"only cash can be overpaid: {pay.method} can take at most {format_maloti(outstanding)}, what is still due"
        )
    if pay.method in ("card", "mobile_money") and not reference:
        raise Invalid(
            f"a {pay.method.replace('_', ' ')} payment needs its reference (approval or transaction id)"
        )
    customer_id = None
    if pay.method == "account":
        customer_id = pay.customer_id or state.sale["customer_id"]
        if customer_id is None:
            raise Invalid("an account payment needs a customer_id")
        if state.sale["customer_id"] not in (None, customer_id):
            raise Conflict("the sale belongs to another customer's account")
        on_account = sum(p["amount_cents"] for p in state.payments if p["method"] == "account")
        check_credit(tx, customer_id, on_account + pay.amount_cents)
        store.update_sale(tx.conn, sale_id, tx.at, customer_id=customer_id)
    elif pay.customer_id is not None:
        raise Invalid("customer_id goes with an account payment only")
    store.insert_payment(
        tx.conn,
        sale_id=sale_id,
        method=pay.method,
        amount_cents=pay.amount_cents,
        currency=pay.currency,
        reference=reference,
        customer_id=customer_id,
        at=tx.at,
    )
    return sale_view(with_new_payments(tx, state))


def remove_payment(tx: Tx, actor: Actor, sale_id: str, payment_id: int) -> SaleView:
    state = load_sale(tx, sale_id)
    state.require("open")
    payment = next((p for p in state.payments if p["id"] == payment_id), None)
    if payment is None or not store.delete_payment(tx.conn, sale_id, payment_id):
        raise NotFound(f"sale {sale_id} has no payment {payment_id}")
    tx.audit(
        "payment.removed",
        actor.username,
        actor.terminal_id,
        sale_id=sale_id,
        method=payment["method"],
        amount_cents=payment["amount_cents"],
        reference=payment["reference"],
    )
    return sale_view(load_sale(tx, sale_id))


def complete_sale(tx: Tx, actor: Actor, sale_id: str, buyer: Buyer | None) -> Receipt:
    state = load_sale(tx, sale_id)
    state.require("open")
    if not state.priced.lines:
        raise Conflict("nothing to sell: scan something first, or cancel the sale")
    if not state.settlement.settled:
        raise Conflict(
            f"the sale is not fully paid: {format_maloti(state.settlement.outstanding_cents)} still due",
            outstanding_cents=state.settlement.outstanding_cents,
        )
    customer_id = state.sale["customer_id"]
    if buyer is None and customer_id is not None:
        customer = require_customer(tx, customer_id)
        if customer.vat_number and customer.address:
            buyer = Buyer(vat_number=customer.vat_number, name=customer.name, address=customer.address)
    if buyer is not None and not (buyer.vat_number.strip() and buyer.name.strip() and buyer.address.strip()):
        raise Invalid("a full VAT invoice needs the buyer's VAT number, name and address")
    terminal_id = state.sale["terminal_id"]
    number = receipt_number(tx.store_id, terminal_id, store.next_receipt_number(tx.conn, terminal_id))
    receipt = build_receipt(state, store=store_info(tx), receipt_no=number, completed_at=tx.at, buyer=buyer)
    store.update_sale(
        tx.conn,
        sale_id,
        tx.at,
        status="completed",
        completed_at=tx.at,
        receipt_no=number,
        receipt=msgspec.json.encode(receipt).decode(),
        total_cents=receipt.total_cents,
        vat_cents=receipt.vat_cents,
        discount_cents=receipt.discount_cents,
        rounding_cents=receipt.rounding_cents,
        paid_cents=receipt.paid_cents,
        change_cents=receipt.change_cents,
    )
    rows = {r["id"]: r for r in state.lines}
    for line in state.priced.lines:
        row = rows[line.line_id]
        record_movement(
            tx,
            product_id=row["product_id"],
            quantity_milli=-row["quantity_milli"],
            kind="sale",
            reference=number,
            reason=None,
            user_id=actor.user_id,
        )
    on_account = sum(p["amount_cents"] for p in state.payments if p["method"] == "account")
    if on_account:
        assert customer_id is not None
        check_credit(tx, customer_id, on_account)
        post_entry(
            tx, actor, customer_id, "charge", on_account, sale_id=sale_id, reference=number, method="account"
        )
    seq = tx.emit(
        SaleCompleted(
            receipt=receipt,
            cashier=receipt.cashier,
            customer_id=customer_id,
            voided_lines=voided_lines(state),
        ),
        terminal_id,
    )
    fraud_store.queue(
        tx,
        kind="sale",
        ref=number,
        seq=seq,
        shift_id=state.sale["shift_id"],
        terminal_id=terminal_id,
        cashier=receipt.cashier,
        total_cents=receipt.total_cents,
    )
    return receipt


def receipt_by_number(tx: Tx, receipt_no: str) -> Receipt:
    raw = store.receipt_json(tx.conn, receipt_no)
    if raw is None:
        raise NotFound(f"no receipt {receipt_no} at this store")
    return msgspec.json.decode(raw, type=Receipt)
