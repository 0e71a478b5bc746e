"""Receipts and credit notes as the till makes them (pure): line amounts and discounts, VAT per class,
cash tendered in notes and the change, partial refunds that add up to the line's total.

The rules are the node's (`aiwebpos_edge.sales.pricing`, `…returns.credit_note`, `…returns.refunds`),
re-implemented on `money.py` so that the cloud side does not install the node; a test pins them together.
"""

from collections.abc import Sequence

from aiwebpos_contracts.receipts import PaymentRecord, Receipt, ReceiptLine, Tender, VatClass
from aiwebpos_pipelines.history.money import (
    RATE_TEXT,
    Unit,
    format_quantity,
    line_amount,
    round_half_up_div,
    vat_breakdown,
)

NOTE_STEPS = (0, 1_000, 5_000, 10_000, 20_000)  # exact, or up to the next M10, M50, M100, M200
_quantities: dict[tuple[int, Unit], str] = {}  # format_quantity's answers, most lines being "1", "2" …


def receipt_line(
    line_id: int,
    sku: str,
    name: str,
    unit: Unit,
    vat_class: VatClass,
    quantity_milli: int,
    unit_price_cents: int,
    discount_percent: int = 0,
    price_overridden: bool = False,
) -> ReceiptLine:
    """A line of a receipt: gross = price × quantity, less a whole-percent discount (half up)."""
    whole, fraction = divmod(quantity_milli, 1000)
    gross = unit_price_cents * whole if not fraction else line_amount(unit_price_cents, quantity_milli)
    quantity = _quantities.get((quantity_milli, unit))
    if quantity is None:
        quantity = _quantities[(quantity_milli, unit)] = format_quantity(quantity_milli, unit)
    discount = min(gross, round_half_up_div(gross * discount_percent, 100)) if discount_percent else 0
    return ReceiptLine(
        line_id=line_id,
        sku=sku,
        name=name,
        quantity=quantity,
        unit=unit,
        unit_price_cents=unit_price_cents,
        discount_cents=discount,
        total_cents=gross - discount,
        vat_class=vat_class,
        vat_rate=RATE_TEXT[vat_class],
        price_overridden=price_overridden,
    )


def cash_tendered(total_cents: int, step: int) -> int:
    """What a customer hands over for `total_cents`: the exact amount (step 0) or the next multiple of the
    note `step`."""
    if step == 0 or total_cents <= 0:
        return total_cents
    return -(-total_cents // step) * step


def receipt(
    *,
    receipt_no: str,
    sale_id: str,
    store_id: str,
    terminal_id: str,
    cashier: str,
    completed_at: str,
    lines: list[ReceiptLine],
    payments: list[PaymentRecord],
    vat_number: str,
    store_name: str,
    store_address: str,
    shift_id: str,
    customer_id: str | None,
) -> Receipt:
    """The tax invoice of a completed sale; change comes only out of cash."""
    total = discount = 0
    for line in lines:
        total += line.total_cents
        discount += line.discount_cents
    vat = vat_breakdown([(line.vat_class, line.total_cents) for line in lines])
    paid = cash = 0
    for payment in payments:
        paid += payment.amount_cents
        if payment.method == "cash":
            cash += payment.amount_cents
    return Receipt(
        receipt_no=receipt_no,
        sale_id=sale_id,
        store_id=store_id,
        terminal_id=terminal_id,
        cashier=cashier,
        completed_at=completed_at,
        lines=lines,
        total_cents=total,
        vat_cents=sum(v.vat_cents for v in vat),
        vat_breakdown=vat,
        payments=payments,
        paid_cents=paid,
        change_cents=min(cash, max(0, paid - total)),
        vat_number=vat_number,
        store_name=store_name,
        store_address=store_address,
        shift_id=shift_id,
        subtotal_cents=total + discount,
        discount_cents=discount,
        total_due_cents=total,
        customer_id=customer_id,
    )


def refund_for(line_total_cents: int, sold_milli: int, before_milli: int, now_milli: int) -> int:
    """The refund of returning `now_milli` more of a line when `before_milli` has come back already."""

    def cumulative(returned: int) -> int:
        return round_half_up_div(line_total_cents * returned, sold_milli)

    return cumulative(before_milli + now_milli) - cumulative(before_milli)


def quantity_milli(line: ReceiptLine) -> int:
    whole, _, fraction = line.quantity.lstrip("-").partition(".")
    milli = int(whole) * 1000 + (int(fraction.ljust(3, "0")[:3]) if fraction else 0)
    return -milli if line.quantity.startswith("-") else milli


def credit_note(
    original: Receipt,
    picked: Sequence[tuple[ReceiptLine, int, int]],
    *,
    receipt_no: str,
    terminal_id: str,
    cashier: str,
    at: str,
    refund_method: Tender,
    reference: str | None,
    shift_id: str | None,
) -> Receipt:
    """The credit note of returning (line, quantity_milli, refund_cents) of `original`: negative amounts,
    VAT reversed at the original receipt's rates."""
    refund = sum(cents for _, _, cents in picked)
    vat = vat_breakdown([(line.vat_class, -cents) for line, _, cents in picked])
    lines = [
        ReceiptLine(
            line_id=line.line_id,
            sku=line.sku,
            name=line.name,
            quantity=format_quantity(-milli, line.unit),
            unit=line.unit,
            unit_price_cents=line.unit_price_cents,
            discount_cents=0,
            total_cents=-cents,
            vat_class=line.vat_class,
            vat_rate=line.vat_rate,
        )
        for line, milli, cents in picked
    ]
    return Receipt(
        receipt_no=receipt_no,
        sale_id=original.sale_id,
        store_id=original.store_id,
        terminal_id=terminal_id,
        cashier=cashier,
        completed_at=at,
        lines=lines,
        total_cents=-refund,
        vat_cents=sum(v.vat_cents for v in vat),
        vat_breakdown=vat,
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
        vat_number=original.vat_number,
        document="credit_note",
        store_name=original.store_name,
        store_address=original.store_address,
        shift_id=shift_id,
        subtotal_cents=-refund,
        total_due_cents=-refund,
        buyer=original.buyer,
        customer_id=original.customer_id,
        original_receipt_no=original.receipt_no,
    )
