"""The credit note of a return (pure): negative amounts, VAT reversed at the original receipt's rates."""

from dataclasses import dataclass
from decimal import Decimal

from aiwebpos_contracts.receipts import PaymentRecord, Receipt, ReceiptLine, Tender, VatBreakdown
from aiwebpos_edge.config.service import StoreInfo
from aiwebpos_edge.money import format_quantity
from aiwebpos_edge.vat import VatClass, rate_percent, vat_breakdown


@dataclass(frozen=True)
class PickedLine:
    line: ReceiptLine  # as the original receipt has it
    quantity_milli: int
    refund_cents: int
    product_id: int


def build_credit_note(
    original: Receipt,
    picked: list[PickedLine],
    *,
    receipt_no: str,
    store: StoreInfo,
    terminal_id: str,
    cashier: str,
    at: str,
    refund_method: Tender,
    reference: str | None,
    shift_id: str | None,
) -> Receipt:
    refund = sum(p.refund_cents for p in picked)
    # A credit note reverses VAT at the rates the original receipt charged, whatever the rate is today.
    rates: dict[VatClass, int] = {p.line.vat_class: int(Decimal(p.line.vat_rate) * 100) for p in picked}
    vat = vat_breakdown([(p.line.vat_class, -p.refund_cents) for p in picked], rates)
    lines = [
        ReceiptLine(
            line_id=p.line.line_id,
            sku=p.line.sku,
            name=p.line.name,
            quantity=format_quantity(-p.quantity_milli, p.line.unit),
            unit=p.line.unit,
            unit_price_cents=p.line.unit_price_cents,
            discount_cents=0,
            total_cents=-p.refund_cents,
            vat_class=p.line.vat_class,
            vat_rate=p.line.vat_rate,
        )
        for p in picked
    ]
    return Receipt(
        receipt_no=receipt_no,
        sale_id=original.sale_id,
        store_id=store.store_id,
        terminal_id=terminal_id,
        cashier=cashier,
        completed_at=at,
        lines=lines,
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
                method=refund_method,
                amount_cents=-refund,
                reference=reference,
                customer_id=original.customer_id,
            )
        ],
        paid_cents=-refund,
        change_cents=0,
        vat_number=store.vat_number,
        document="credit_note",
        store_name=store.name,
        store_address=store.address,
        shift_id=shift_id,
        subtotal_cents=-refund,
        total_due_cents=-refund,
        buyer=original.buyer,
        customer_id=original.customer_id,
        original_receipt_no=original.receipt_no,
    )
