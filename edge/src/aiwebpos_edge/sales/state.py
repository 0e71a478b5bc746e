"""A sale loaded and priced: what every selling operation starts from and answers with."""

import sqlite3
from dataclasses import dataclass, replace
from decimal import Decimal

from aiwebpos_contracts.receipts import PaymentRecord, VatBreakdown
from aiwebpos_edge.config.service import StoreConfig, rates_on, store_config
from aiwebpos_edge.errors import Conflict, NotFound
from aiwebpos_edge.money import format_quantity
from aiwebpos_edge.sales import store
from aiwebpos_edge.sales.models import SaleLineView, SaleView
from aiwebpos_edge.sales.pricing import (
    Discount,
    LineInput,
    PricedSale,
    Settlement,
    cash_due,
    price_sale,
    settle,
)
from aiwebpos_edge.tx import Tx
from aiwebpos_edge.vat import rate_percent


def _discount(percent: str | None, amount_cents: int | None) -> Discount | None:
    if percent is not None:
        return Discount(percent=Decimal(percent))
    if amount_cents:
        return Discount(amount_cents=amount_cents)
    return None


@dataclass
class SaleState:
    sale: sqlite3.Row
    lines: list[sqlite3.Row]
    payments: list[sqlite3.Row]
    priced: PricedSale
    settlement: Settlement
    config: StoreConfig

    @property
    def id(self) -> str:
        return str(self.sale["id"])

    @property
    def status(self) -> str:
        return str(self.sale["status"])

    def require(self, *statuses: str) -> None:
        if self.status not in statuses:
            raise _wrong_status(self.id, self.status, statuses)

    def line(self, line_id: int) -> sqlite3.Row:
        for row in self.lines:
            if row["id"] == line_id:
                return row
        raise NotFound(f"sale {self.id} has no line {line_id}")


def require_status(tx: Tx, sale_id: str, *statuses: str) -> None:
    row = tx.conn.execute("SELECT status FROM sales WHERE id = ?", (sale_id,)).fetchone()
    if row is None:
        raise NotFound(f"no sale {sale_id}")
    if row[0] not in statuses:
        raise _wrong_status(sale_id, row[0], statuses)


def _wrong_status(sale_id: str, status: str, wanted: tuple[str, ...]) -> Conflict:
    return Conflict(f"sale {sale_id} is {status}: this needs a sale that is {' or '.join(wanted)}")


def load_sale(tx: Tx, sale_id: str) -> SaleState:
    sale = store.sale(tx.conn, sale_id)
    if sale is None:
        raise NotFound(f"no sale {sale_id}")
    lines = store.lines(tx.conn, sale_id)
    payments = store.payments(tx.conn, sale_id)
    config = store_config(tx)
    inputs = [
        LineInput(
            line_id=r["id"],
            vat_class=r["vat_class"],
            quantity_milli=r["quantity_milli"],
            unit_price_cents=r["unit_price_cents"],
            fixed_amount_cents=r["amount_cents"],
            discount=_discount(r["discount_percent"], r["discount_amount_cents"]),
            voided=bool(r["voided"]),
        )
        for r in lines
    ]
    priced = price_sale(
        inputs,
        _discount(sale["discount_percent"], sale["discount_amount_cents"]),
        rates_on(tx, tx.business_day),
    )
    settlement = settle(priced.total_cents, store.tendered(payments), config.cash_rounding_cents)
    return SaleState(sale, lines, payments, priced, settlement, config)


def with_new_payments(tx: Tx, state: SaleState) -> SaleState:
    """The same sale after a payment changed: only the payments (and the sale row, whose customer may have
    changed) are read again; the lines and their pricing have not changed."""
    sale = store.sale(tx.conn, state.id)
    assert sale is not None
    payments = store.payments(tx.conn, state.id)
    settlement = settle(state.priced.total_cents, store.tendered(payments), state.config.cash_rounding_cents)
    return replace(state, sale=sale, payments=payments, settlement=settlement)


def payment_records(rows: list[sqlite3.Row]) -> list[PaymentRecord]:
    return [
        PaymentRecord(
            payment_id=r["id"],
            method=r["method"],
            amount_cents=r["amount_cents"],
            currency=r["currency"],
            reference=r["reference"],
            customer_id=r["customer_id"],
        )
        for r in rows
    ]


def vat_records(state: SaleState) -> list[VatBreakdown]:
    return [
        VatBreakdown(
            vat_class=v.vat_class,
            rate=rate_percent(v.rate_bp),
            gross_cents=v.gross_cents,
            net_cents=v.net_cents,
            vat_cents=v.vat_cents,
        )
        for v in state.priced.vat
    ]


def sale_view(state: SaleState) -> SaleView:
    priced = {p.line_id: p for p in state.priced.lines}
    lines = []
    for r in state.lines:
        p = priced.get(r["id"])
        lines.append(
            SaleLineView(
                line_id=r["id"],
                sku=r["sku"],
                name=r["name"],
                barcode=r["barcode"],
                quantity=format_quantity(r["quantity_milli"], r["unit"]),
                unit=r["unit"],
                unit_price_cents=r["unit_price_cents"],
                list_price_cents=r["list_price_cents"],
                discount_cents=p.discount_cents if p else 0,
                total_cents=p.total_cents if p else 0,
                vat_class=r["vat_class"],
                voided=bool(r["voided"]),
                void_reason=r["void_reason"],
                price_overridden=r["override_by"] is not None,
            )
        )
    s, settlement = state.sale, state.settlement
    tendered = store.tendered(state.payments)
    return SaleView(
        id=s["id"],
        status=s["status"],
        terminal_id=s["terminal_id"],
        shift_id=s["shift_id"],
        cashier=s["cashier"],
        created_at=s["created_at"],
        customer_id=s["customer_id"],
        lines=lines,
        subtotal_cents=state.priced.subtotal_cents,
        discount_cents=state.priced.discount_cents,
        total_cents=state.priced.total_cents,
        vat_cents=state.priced.vat_cents,
        vat_breakdown=vat_records(state),
        payments=payment_records(state.payments),
        paid_cents=settlement.paid_cents,
        rounding_cents=settlement.rounding_cents,
        total_due_cents=settlement.total_due_cents,
        outstanding_cents=settlement.outstanding_cents,
        cash_due_cents=cash_due(state.priced.total_cents, tendered, state.config.cash_rounding_cents),
        change_cents=settlement.change_cents,
        receipt_no=s["receipt_no"],
        cancel_reason=s["cancel_reason"],
    )
