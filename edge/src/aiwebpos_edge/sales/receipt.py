"""The receipt (a tax invoice) of a completed sale, in the contract's shape."""

from aiwebpos_contracts.events import VoidedLine
from aiwebpos_contracts.receipts import Buyer, Receipt, ReceiptLine
from aiwebpos_edge.config.service import StoreInfo
from aiwebpos_edge.money import format_quantity, line_amount
from aiwebpos_edge.sales.state import SaleState, payment_records, vat_records
from aiwebpos_edge.vat import rate_percent


def receipt_number(store_id: str, terminal_id: str, number: int) -> str:
    return f"{store_id}-{terminal_id}-{number:06d}"


def receipt_lines(state: SaleState) -> list[ReceiptLine]:
    rates = {v.vat_class: v.rate_bp for v in state.priced.vat}
    rows = {r["id"]: r for r in state.lines}
    lines = []
    for p in state.priced.lines:
        r = rows[p.line_id]
        lines.append(
            ReceiptLine(
                line_id=p.line_id,
                sku=r["sku"],
                name=r["name"],
                quantity=format_quantity(r["quantity_milli"], r["unit"]),
                unit=r["unit"],
                unit_price_cents=r["unit_price_cents"],
                discount_cents=p.discount_cents,
                total_cents=p.total_cents,
                vat_class=p.vat_class,
                vat_rate=rate_percent(rates.get(p.vat_class, 0)),
                price_overridden=r["override_by"] is not None,
            )
        )
    return lines


def voided_lines(state: SaleState) -> list[VoidedLine]:
    """The lines scanned and then voided, valued as scanned (as the Z report counts voids)."""
    return [
        VoidedLine(
            line_id=r["id"],
            sku=r["sku"],
            name=r["name"],
            quantity=format_quantity(r["quantity_milli"], r["unit"]),
            total_cents=(
                r["amount_cents"]
                if r["amount_cents"] is not None
                else line_amount(r["unit_price_cents"], r["quantity_milli"])
            ),
            reason=r["void_reason"] or "",
        )
        for r in state.lines
        if r["voided"]
    ]


def build_receipt(
    state: SaleState, *, store: StoreInfo, receipt_no: str, completed_at: str, buyer: Buyer | None
) -> Receipt:
    sale, settlement = state.sale, state.settlement
    return Receipt(
        receipt_no=receipt_no,
        sale_id=state.id,
        store_id=store.store_id,
        terminal_id=sale["terminal_id"],
        cashier=sale["cashier"],
        completed_at=completed_at,
        lines=receipt_lines(state),
        total_cents=state.priced.total_cents,
        vat_cents=state.priced.vat_cents,
        vat_breakdown=vat_records(state),
        payments=payment_records(state.payments),
        paid_cents=settlement.paid_cents,
        change_cents=settlement.change_cents,
        vat_number=store.vat_number,
        document="vat_invoice" if buyer else "tax_invoice",
        store_name=store.name,
        store_address=store.address,
        shift_id=sale["shift_id"],
        subtotal_cents=state.priced.subtotal_cents,
        discount_cents=state.priced.discount_cents,
        rounding_cents=settlement.rounding_cents,
        total_due_cents=settlement.total_due_cents,
        buyer=buyer,
        customer_id=sale["customer_id"],
    )
