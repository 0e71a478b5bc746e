"""The receipt: the answer to completing a sale and the payload of `sale.completed` (CONTRACTS.md §2).

Money fields end in `_cents` and are integer lisente; quantities are decimal strings; VAT rates are
percent strings ("15", "10", "0") so that no rate ever passes through a float.
"""

from typing import Literal

import msgspec

VatClass = Literal["standard", "reduced", "zero", "exempt"]
Tender = Literal["cash", "card", "mobile_money", "account"]
Currency = Literal["LSL", "ZAR"]


class ReceiptLine(msgspec.Struct, kw_only=True):
    line_id: int
    sku: str
    name: str
    quantity: str
    unit: Literal["each", "kg"] = "each"
    unit_price_cents: int
    discount_cents: int
    total_cents: int
    vat_class: VatClass
    vat_rate: str
    price_overridden: bool = False


class VatBreakdown(msgspec.Struct, kw_only=True):
    vat_class: VatClass
    rate: str
    gross_cents: int
    net_cents: int
    vat_cents: int


class PaymentRecord(msgspec.Struct, kw_only=True):
    payment_id: int
    method: Tender
    amount_cents: int
    currency: Currency = "LSL"
    reference: str | None = None
    customer_id: str | None = None


class Buyer(msgspec.Struct, kw_only=True):
    """The buyer's details that turn a receipt into a full VAT invoice."""

    vat_number: str
    name: str
    address: str


class Receipt(msgspec.Struct, kw_only=True):
    receipt_no: str
    sale_id: str
    store_id: str
    terminal_id: str
    cashier: str
    completed_at: str
    lines: list[ReceiptLine]
    total_cents: int
    vat_cents: int
    vat_breakdown: list[VatBreakdown]
    payments: list[PaymentRecord]
    paid_cents: int
    change_cents: int
    vat_number: str
    # Additive fields beyond the contract's minimum:
    document: Literal["tax_invoice", "vat_invoice", "credit_note"] = "tax_invoice"
    store_name: str = ""
    store_address: str = ""
    shift_id: str | None = None
    subtotal_cents: int = 0
    discount_cents: int = 0
    rounding_cents: int = 0
    total_due_cents: int = 0
    buyer: Buyer | None = None
    customer_id: str | None = None
    original_receipt_no: str | None = None
