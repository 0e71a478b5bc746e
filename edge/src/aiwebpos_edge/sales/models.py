"""The bodies of selling and the sale as the till sees it."""

from typing import Literal

import msgspec

from aiwebpos_contracts.receipts import Buyer, Currency, PaymentRecord, Tender, VatBreakdown


class NewSale(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    terminal_id: str
    shift_id: str


class AddLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    barcode: str | None = None
    sku: str | None = None
    quantity: str | None = None  # "1", "0.750" (kg); default 1 for items sold by the each
    weigh: bool = False  # the quantity is what this terminal's scale reads now (stable), never typed


class VoidLine(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: str
    approver_pin: str | None = None


class GiveDiscount(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Exactly one of `percent` ("10", "12.5") or `amount_cents`; 0 removes the discount."""

    percent: str | None = None
    amount_cents: int | None = None
    reason: str = ""
    approver_pin: str | None = None


class OverridePrice(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    unit_price_cents: int
    reason: str
    approver_pin: str | None = None


class NewPayment(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    method: Tender
    amount_cents: int
    currency: Currency = "LSL"
    reference: str | None = None  # card approval code, mobile money transaction id
    customer_id: str | None = None  # for "account"


class CompleteSale(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    buyer: Buyer | None = None  # a VAT-registered buyer's details make the receipt a full VAT invoice


class Reason(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: str


class ResumeSale(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    terminal_id: str
    shift_id: str


class SetCustomer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    customer_id: str | None


class SaleLineView(msgspec.Struct, kw_only=True):
    line_id: int
    sku: str
    name: str
    barcode: str | None
    quantity: str
    unit: Literal["each", "kg"]
    unit_price_cents: int
    list_price_cents: int
    discount_cents: int
    total_cents: int
    vat_class: str
    voided: bool
    void_reason: str | None = None
    price_overridden: bool = False


class SaleView(msgspec.Struct, kw_only=True):
    id: str
    status: Literal["open", "suspended", "completed", "cancelled"]
    terminal_id: str
    shift_id: str
    cashier: str
    created_at: str
    customer_id: str | None
    lines: list[SaleLineView]
    subtotal_cents: int
    discount_cents: int
    total_cents: int
    vat_cents: int
    vat_breakdown: list[VatBreakdown]
    payments: list[PaymentRecord]
    paid_cents: int
    rounding_cents: int
    total_due_cents: int
    outstanding_cents: int  # still to pay; the till asks `cash_due_cents` when paying in cash
    cash_due_cents: int
    change_cents: int
    receipt_no: str | None = None
    cancel_reason: str | None = None
