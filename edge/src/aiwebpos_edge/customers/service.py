"""Customers and their accounts: records, credit limits, charges, payments and refunds.

An account's balance is the sum of its entries (+ raises what the customer owes). Sales charge it and
returns refund it through `post_entry`; `check_credit` keeps a charge within the credit limit.
"""

from dataclasses import replace
from typing import Literal

from aiwebpos_contracts import uuid7
from aiwebpos_contracts.events import AccountChanged
from aiwebpos_edge.customers import store
from aiwebpos_edge.customers.schemas import (
    AccountPayment,
    CustomerChange,
    CustomerOut,
    EntryOut,
    NewCustomer,
    PaymentReceived,
    Statement,
)
from aiwebpos_edge.customers.store import CustomerRow as CustomerRow
from aiwebpos_edge.errors import Conflict, Invalid, NotFound
from aiwebpos_edge.formatting import format_maloti
from aiwebpos_edge.shifts import service as shifts
from aiwebpos_edge.tx import Actor, Tx

EntryKind = Literal["charge", "payment", "refund"]
_PHONE_CHARACTERS = frozenset("0123456789+-() ")
MAX_CREDIT_LIMIT_CENTS = 100_000_000  # M1,000,000.00: anything above is a typo


def _out(tx: Tx, customer: CustomerRow) -> CustomerOut:
    balance = store.balance(tx.conn, customer.id)
    available = max(0, customer.credit_limit_cents - balance) if customer.active else 0
    return CustomerOut(
        id=customer.id,
        name=customer.name,
        phone=customer.phone,
        email=customer.email,
        vat_number=customer.vat_number,
        address=customer.address,
        credit_limit_cents=customer.credit_limit_cents,
        active=customer.active,
        balance_cents=balance,
        available_credit_cents=available,
    )


def _clean(field: str, value: str) -> str:
    value = value.strip()
    if field == "name" and not value:
        raise Invalid("a customer needs a name")
    if field == "phone" and not set(value) <= _PHONE_CHARACTERS:
        raise Invalid(f"{value!r} is not a phone number (digits, spaces, '+', '-' and brackets only)")
    if field == "email" and value and ("@" not in value.strip("@") or " " in value):
        raise Invalid(f"{value!r} is not an email address")
    if len(value) > 200:
        raise Invalid(f"the {field} is too long (at most 200 characters)")
    return value


def _check_limit(cents: int) -> int:
    if not 0 <= cents <= MAX_CREDIT_LIMIT_CENTS:
        raise Invalid(f"a credit limit is from M0.00 (no credit) to {format_maloti(MAX_CREDIT_LIMIT_CENTS)}")
    return cents


def require_customer(tx: Tx, customer_id: str) -> CustomerRow:
    customer = store.customer_by_id(tx.conn, customer_id)
    if customer is None:
        raise NotFound(f"no customer {customer_id}")
    return customer


def create_customer(tx: Tx, actor: Actor, new: NewCustomer) -> CustomerOut:
    customer = CustomerRow(
        id=str(uuid7()),
        name=_clean("name", new.name),
        vat_number=_clean("vat_number", new.vat_number),
        address=_clean("address", new.address),
        credit_limit_cents=_check_limit(new.credit_limit_cents),
        active=True,
        phone=_clean("phone", new.phone),
        email=_clean("email", new.email),
    )
    store.insert_customer(tx.conn, customer, tx.at)
    tx.audit(
        "customer.created",
        actor.username,
        actor.terminal_id,
        customer_id=customer.id,
        name=customer.name,
        credit_limit_cents=customer.credit_limit_cents,
    )
    return _out(tx, customer)


def change_customer(tx: Tx, actor: Actor, customer_id: str, change: CustomerChange) -> CustomerOut:
    customer = require_customer(tx, customer_id)
    fields: dict[str, object] = {
        f: _clean(f, value)
        for f in ("name", "phone", "email", "vat_number", "address")
        if (value := getattr(change, f)) is not None
    }
    if change.credit_limit_cents is not None:
        fields["credit_limit_cents"] = _check_limit(change.credit_limit_cents)
    if change.active is not None:
        fields["active"] = int(change.active)
    if not fields:
        raise Invalid("nothing to change")
    store.update_customer(tx.conn, customer_id, tx.at, **fields)
    if "credit_limit_cents" in fields and change.credit_limit_cents != customer.credit_limit_cents:
        tx.audit(
            "customer.credit_limit_changed",
            actor.username,
            actor.terminal_id,
            customer_id=customer_id,
            name=customer.name,
            old_cents=customer.credit_limit_cents,
            new_cents=change.credit_limit_cents,
        )
    others = sorted(set(fields) - {"credit_limit_cents"})
    if others:
        tx.audit(
            "customer.changed", actor.username, actor.terminal_id, customer_id=customer_id, fields=others
        )
    return _out(tx, require_customer(tx, customer_id))


def get_customer(tx: Tx, customer_id: str) -> CustomerOut:
    return _out(tx, require_customer(tx, customer_id))


def search_customers(tx: Tx, text: str | None) -> list[CustomerOut]:
    return [_out(tx, c) for c in store.search_customers(tx.conn, (text or "").strip() or None)]


def statement(tx: Tx, customer_id: str) -> Statement:
    customer = require_customer(tx, customer_id)
    running, lines = 0, []
    for e in store.entries(tx.conn, customer_id):
        running += e.amount_cents
        lines.append(
            EntryOut(
                id=e.id,
                kind=e.kind,
                amount_cents=e.amount_cents,
                balance_cents=running,
                created_at=e.created_at,
                sale_id=e.sale_id,
                reference=e.reference,
                method=e.method,
                shift_id=e.shift_id,
                user=e.username,
            )
        )
    return Statement(customer=_out(tx, customer), entries=lines)


def check_credit(tx: Tx, customer_id: str, extra_cents: int) -> None:
    """Refuse a charge of `extra_cents` that would take the account over its credit limit."""
    customer = require_customer(tx, customer_id)
    if not customer.active:
        raise Conflict(f"{customer.name}'s account is closed: it cannot be charged")
    after = store.balance(tx.conn, customer_id) + extra_cents
    if after > customer.credit_limit_cents:
        raise Conflict(
            f"this would take {customer.name}'s account to {format_maloti(after)}, over its credit limit"
            f" of {format_maloti(customer.credit_limit_cents)}"
        )


def post_entry(
    tx: Tx,
    actor: Actor,
    customer_id: str,
    kind: EntryKind,
    amount_cents: int,
    *,
    sale_id: str | None = None,
    reference: str | None = None,
    method: str | None = None,
    shift_id: str | None = None,
) -> int:
    """Write one signed entry (charge > 0; payment, refund < 0), emit account.changed; the new balance."""
    if (amount_cents > 0) != (kind == "charge") or amount_cents == 0:
        raise ValueError(
            f"a {kind} entry cannot be {amount_cents}: charges are positive, the others negative"
        )
    require_customer(tx, customer_id)
    store.insert_entry(
        tx.conn,
        customer_id=customer_id,
        kind=kind,
        amount_cents=amount_cents,
        sale_id=sale_id,
        reference=reference,
        method=method,
        shift_id=shift_id,
        user_id=actor.user_id,
        at=tx.at,
    )
    balance = store.balance(tx.conn, customer_id)
    changed = AccountChanged(
        customer_id=customer_id,
        kind=kind,
        amount_cents=amount_cents,
        balance_cents=balance,
        reference=reference,
    )
    tx.emit(changed, actor.terminal_id)
    return balance


def receive_payment(tx: Tx, actor: Actor, customer_id: str, data: AccountPayment) -> PaymentReceived:
    """Money paid ON the account; cash taken at a till belongs to that till's open shift."""
    if data.amount_cents <= 0:
        raise Invalid("a payment must be more than M0.00")
    customer = require_customer(tx, customer_id)
    owed = store.balance(tx.conn, customer_id)
    if data.amount_cents > owed:
        if owed <= 0:
            raise Conflict(f"{customer.name} owes nothing on account: there is nothing to pay")
        raise Conflict(
            f"{customer.name} owes {format_maloti(owed)}: a payment of {format_maloti(data.amount_cents)}"
            " is more than that"
        )
    terminal_id = (data.terminal_id or "").strip() or None
    shift_id = shifts.open_shift_of(tx, terminal_id) if terminal_id else None
    if data.method == "cash" and terminal_id and shift_id is None:
        raise Conflict(f"terminal {terminal_id} has no open shift: open a shift before taking cash at it")
    reference = (data.reference or "").strip() or None
    at_till = replace(actor, terminal_id=terminal_id or actor.terminal_id)  # where the money was taken
    balance = post_entry(
        tx,
        at_till,
        customer_id,
        "payment",
        -data.amount_cents,
        reference=reference,
        method=data.method,
        shift_id=shift_id,
    )
    tx.audit(
        "account.payment",
        actor.username,
        at_till.terminal_id,
        customer_id=customer_id,
        amount_cents=data.amount_cents,
        method=data.method,
        reference=reference,
        shift_id=shift_id,
        balance_cents=balance,
    )
    return PaymentReceived(
        customer_id=customer_id,
        amount_cents=data.amount_cents,
        method=data.method,
        reference=reference,
        shift_id=shift_id,
        balance_cents=balance,
        received_at=tx.at,
    )
