"""One msgspec Struct per event payload (CONTRACTS.md §3). `EVENT_PAYLOADS` maps type → Struct."""

from typing import Any, Literal

import msgspec

from aiwebpos_contracts.receipts import Receipt, ReceiptLine, VatBreakdown


class FraudScore(msgspec.Struct, kw_only=True):
    model: str
    version: str
    score: float
    reasons: list[str] = []


class VoidedLine(msgspec.Struct, kw_only=True):
    """A line scanned and then voided before the sale completed (it is not on the receipt).

    `total_cents` is its value as scanned (unit price × quantity, before any discount), as the Z report
    counts voids."""

    line_id: int
    sku: str
    name: str
    quantity: str
    total_cents: int
    reason: str


class SaleCompleted(msgspec.Struct, kw_only=True):
    receipt: Receipt
    cashier: str
    customer_id: str | None = None
    fraud: FraudScore | None = None
    voided_lines: list[VoidedLine] = []


class SaleCancelled(msgspec.Struct, kw_only=True):
    sale_id: str
    shift_id: str
    cashier: str
    reason: str
    cancelled_at: str
    lines: list[ReceiptLine]
    total_cents: int


class ReturnedLine(msgspec.Struct, kw_only=True):
    line_id: int
    sku: str
    name: str
    quantity: str
    refund_cents: int
    vat_class: str


class ReturnCompleted(msgspec.Struct, kw_only=True):
    return_id: str
    receipt: Receipt
    original_receipt_no: str
    original_sale_id: str
    lines: list[ReturnedLine]
    refund_method: str
    refund_cents: int
    reason: str
    cashier: str
    approved_by: str | None = None


class TenderTotal(msgspec.Struct, kw_only=True):
    method: str
    count: int
    amount_cents: int


class ShiftReport(msgspec.Struct, kw_only=True):
    """An X report (`kind` "x") while the shift is open, the Z report (`kind` "z") when it closes."""

    kind: Literal["x", "z"]
    shift_id: str
    terminal_id: str
    cashier: str
    opened_at: str
    closed_at: str | None
    opening_float_cents: int
    cash_sales_cents: int
    cash_refunds_cents: int
    expected_cash_cents: int
    counted_cash_cents: int | None
    variance_cents: int | None
    sales_count: int
    sales_total_cents: int
    tenders: list[TenderTotal]
    vat: list[VatBreakdown]
    voids_count: int
    voids_cents: int
    discounts_count: int
    discounts_cents: int
    returns_count: int
    returns_cents: int
    cancelled_count: int
    no_sales_count: int
    rounding_cents: int = 0


# The Z report's figures: every whole number of a ShiftReport but the opening float, in its order (the
# columns a closed shift keeps in the lakehouse's `shift_events` and in the fraud model's shift frame).
SHIFT_REPORT_FIGURES: tuple[str, ...] = tuple(
    field.name
    for field in msgspec.structs.fields(ShiftReport)
    if field.type in (int, int | None) and field.name != "opening_float_cents"
)


class ShiftOpened(msgspec.Struct, kw_only=True):
    shift_id: str
    terminal_id: str
    cashier: str
    opened_at: str
    opening_float_cents: int


class ShiftClosed(msgspec.Struct, kw_only=True):
    report: ShiftReport
    fraud: FraudScore | None = None


class DrawerOpened(msgspec.Struct, kw_only=True):
    shift_id: str | None
    cashier: str
    reason: str
    opened_at: str
    sale_id: str | None = None


class StockMoved(msgspec.Struct, kw_only=True):
    sku: str
    quantity: str
    kind: Literal["sale", "return", "adjustment", "receipt", "count", "transfer_in", "transfer_out"]
    reference: str | None = None
    reason: str | None = None
    on_hand: str | None = None


class TimeclockPunched(msgspec.Struct, kw_only=True):
    username: str
    direction: Literal["in", "out"]
    punched_at: str


class AccountChanged(msgspec.Struct, kw_only=True):
    customer_id: str
    kind: Literal["charge", "payment", "refund"]
    amount_cents: int
    balance_cents: int
    reference: str | None = None


class AuditRecorded(msgspec.Struct, kw_only=True):
    audit_id: int
    action: str
    actor: str | None
    details: dict[str, Any]
    hash: str
    prev_hash: str


class CommandResult(msgspec.Struct, kw_only=True):
    command_id: str
    ok: bool
    detail: str = ""


EVENT_PAYLOADS: dict[str, type[msgspec.Struct]] = {
    "sale.completed": SaleCompleted,
    "sale.cancelled": SaleCancelled,
    "return.completed": ReturnCompleted,
    "shift.opened": ShiftOpened,
    "shift.closed": ShiftClosed,
    "drawer.opened": DrawerOpened,
    "stock.moved": StockMoved,
    "timeclock.punched": TimeclockPunched,
    "account.changed": AccountChanged,
    "audit.recorded": AuditRecorded,
    "command.result": CommandResult,
}

_TYPE_OF = {struct: name for name, struct in EVENT_PAYLOADS.items()}


def event_type_of(payload: msgspec.Struct) -> str:
    """The event type of a payload Struct, e.g. `sale.completed` for a SaleCompleted."""
    return _TYPE_OF[type(payload)]


__all__ = ["EVENT_PAYLOADS", "Receipt", "VatBreakdown", "event_type_of"]
