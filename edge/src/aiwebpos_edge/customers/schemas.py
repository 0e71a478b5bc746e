"""The bodies and answers of the customers API."""

from typing import Literal

import msgspec


class NewCustomer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str
    phone: str = ""
    email: str = ""
    vat_number: str = ""
    address: str = ""
    credit_limit_cents: int = 0


class CustomerChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    vat_number: str | None = None
    address: str | None = None
    credit_limit_cents: int | None = None
    active: bool | None = None


class AccountPayment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    amount_cents: int
    method: Literal["cash", "card", "mobile_money"]
    reference: str | None = None
    terminal_id: str | None = None  # where cash was taken: it then counts in that till's shift


class CustomerOut(msgspec.Struct, kw_only=True):
    id: str
    name: str
    phone: str
    email: str
    vat_number: str
    address: str
    credit_limit_cents: int
    active: bool
    balance_cents: int
    available_credit_cents: int


class EntryOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    amount_cents: int
    balance_cents: int  # the balance after this entry
    created_at: str
    sale_id: str | None = None
    reference: str | None = None
    method: str | None = None
    shift_id: str | None = None
    user: str | None = None


class Statement(msgspec.Struct, kw_only=True):
    customer: CustomerOut
    entries: list[EntryOut]


class PaymentReceived(msgspec.Struct, kw_only=True):
    customer_id: str
    amount_cents: int
    method: str
    reference: str | None
    shift_id: str | None
    balance_cents: int
    received_at: str
