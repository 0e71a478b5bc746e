"""Realistic envelopes built with the contract Structs, as a store node would publish them."""

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import msgspec

from aiwebpos_contracts import Envelope, event_type_of, uuid7
from aiwebpos_contracts.events import (
    DrawerOpened,
    FraudScore,
    ReturnCompleted,
    ReturnedLine,
    SaleCancelled,
    SaleCompleted,
    ShiftClosed,
    ShiftOpened,
    ShiftReport,
    StockMoved,
    TenderTotal,
    TimeclockPunched,
    VoidedLine,
)
from aiwebpos_contracts.receipts import PaymentRecord, Receipt, ReceiptLine, VatBreakdown

START = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _vat(gross: int, rate_percent: int) -> int:
    """round_half_up(gross × r / (1 + r)) in integers."""
    numerator = gross * rate_percent
    denominator = 100 + rate_percent
    return (2 * numerator + denominator) // (2 * denominator)


def sale_receipt(store_id: str, terminal_id: str, number: int, at: datetime) -> Receipt:
    """A maize meal (standard 15 %), bread (zero-rated) and weighed beef sale paid in cash, ZAR at par."""
    lines = [
        ReceiptLine(
            line_id=1,
            sku="MAIZE-10",
            name="Maize meal 10 kg",
            quantity="1",
            unit_price_cents=14_999,
            discount_cents=0,
            total_cents=14_999,
            vat_class="standard",
            vat_rate="15",
        ),
        ReceiptLine(
            line_id=2,
            sku="BREAD-W",
            name="White bread 700 g",
            quantity="2",
            unit_price_cents=1_850,
            discount_cents=0,
            total_cents=3_700,
            vat_class="zero",
            vat_rate="0",
        ),
        ReceiptLine(
            line_id=3,
            sku="BEEF-MINCE",
            name="Beef mince",
            quantity="0.750",
            unit="kg",
            unit_price_cents=11_000,
            discount_cents=250,
            total_cents=8_000,
            vat_class="standard",
            vat_rate="15",
        ),
    ]
    standard = 14_999 + 8_000
    vat = _vat(standard, 15)
    total = standard + 3_700
    return Receipt(
        receipt_no=f"{store_id}-{terminal_id}-{number:06d}",
        sale_id=str(uuid7()),
        store_id=store_id,
        terminal_id=terminal_id,
        cashier="thabo",
        completed_at=iso(at),
        lines=lines,
        total_cents=total,
        vat_cents=vat,
        vat_breakdown=[
            VatBreakdown(
                vat_class="standard", rate="15", gross_cents=standard, net_cents=standard - vat, vat_cents=vat
            ),
            VatBreakdown(vat_class="zero", rate="0", gross_cents=3_700, net_cents=3_700, vat_cents=0),
        ],
        payments=[
            PaymentRecord(payment_id=1, method="cash", amount_cents=20_000, currency="ZAR"),
            PaymentRecord(payment_id=2, method="card", amount_cents=6_699, reference="AUTH-1234"),
        ],
        paid_cents=26_699,
        change_cents=0,
        vat_number="LS-VAT-0123456",
        shift_id="shift-1",
        subtotal_cents=total + 250,
        discount_cents=250,
        total_due_cents=total,
    )


def credit_note(original: Receipt, number: int, at: datetime) -> Receipt:
    return Receipt(
        receipt_no=f"{original.store_id}-{original.terminal_id}-{number:06d}",
        sale_id=original.sale_id,
        store_id=original.store_id,
        terminal_id=original.terminal_id,
        cashier="thabo",
        completed_at=iso(at),
        lines=[
            ReceiptLine(
                line_id=2,
                sku="BREAD-W",
                name="White bread 700 g",
                quantity="-1",
                unit_price_cents=1_850,
                discount_cents=0,
                total_cents=-1_850,
                vat_class="zero",
                vat_rate="0",
            )
        ],
        total_cents=-1_850,
        vat_cents=0,
        vat_breakdown=[
            VatBreakdown(vat_class="zero", rate="0", gross_cents=-1_850, net_cents=-1_850, vat_cents=0)
        ],
        payments=[PaymentRecord(payment_id=0, method="cash", amount_cents=-1_850)],
        paid_cents=-1_850,
        change_cents=0,
        vat_number="LS-VAT-0123456",
        document="credit_note",
        shift_id="shift-1",
        original_receipt_no=original.receipt_no,
    )


class Store:
    """One store's event stream: envelopes with gap-free seq, like the node's outbox."""

    def __init__(self, store_id: str = "MSU-01", terminal_id: str = "T1", start: datetime = START) -> None:
        self.store_id = store_id
        self.terminal_id = terminal_id
        self.now = start
        self._seq = itertools.count(1)
        self._receipt_no = itertools.count(1)

    def envelope(self, payload: msgspec.Struct, *, at_till: bool = True) -> Envelope:
        self.now += timedelta(seconds=7)
        return Envelope(
            event_id=str(uuid7()),
            type=event_type_of(payload),
            store_id=self.store_id,
            terminal_id=self.terminal_id if at_till else None,
            seq=next(self._seq),
            occurred_at=iso(self.now),
            payload=msgspec.to_builtins(payload),
        )

    def sale(self, voided: list[VoidedLine] | None = None) -> Envelope:
        receipt = sale_receipt(self.store_id, self.terminal_id, next(self._receipt_no), self.now)
        fraud = FraudScore(model="aiwebpos-fraud", version="3", score=0.02)
        return self.envelope(
            SaleCompleted(receipt=receipt, cashier="thabo", fraud=fraud, voided_lines=voided or [])
        )

    def cancelled_sale(self) -> Envelope:
        """A sale cancelled after two lines were scanned (the receipt it would have had, never numbered)."""
        lines = sale_receipt(self.store_id, self.terminal_id, 0, self.now).lines[:2]
        return self.envelope(
            SaleCancelled(
                sale_id=str(uuid7()),
                shift_id="shift-1",
                cashier="thabo",
                reason="customer changed mind",
                cancelled_at=iso(self.now),
                lines=lines,
                total_cents=sum(line.total_cents for line in lines),
            )
        )

    def no_sale(self, reason: str = "change for the float") -> Envelope:
        return self.envelope(
            DrawerOpened(shift_id="shift-1", cashier="thabo", reason=reason, opened_at=iso(self.now))
        )

    def sale_and_return(self) -> tuple[Envelope, Envelope]:
        sale = self.sale()
        original = msgspec.convert(sale.payload["receipt"], Receipt)
        note = credit_note(original, next(self._receipt_no), self.now)
        returned = ReturnCompleted(
            return_id=str(uuid7()),
            receipt=note,
            original_receipt_no=original.receipt_no,
            original_sale_id=original.sale_id,
            refund_method="cash",
            refund_cents=1_850,
            reason="stale",
            cashier="thabo",
            approved_by="lerato",
            lines=[
                ReturnedLine(
                    line_id=2,
                    sku="BREAD-W",
                    name="White bread 700 g",
                    quantity="1",
                    refund_cents=1_850,
                    vat_class="zero",
                )
            ],
        )
        return sale, self.envelope(returned)

    def shift(self) -> tuple[Envelope, Envelope]:
        opened_at = iso(self.now)
        opened = self.envelope(
            ShiftOpened(
                shift_id="shift-1",
                terminal_id=self.terminal_id,
                cashier="thabo",
                opened_at=opened_at,
                opening_float_cents=50_000,
            )
        )
        report = ShiftReport(
            kind="z",
            shift_id="shift-1",
            terminal_id=self.terminal_id,
            cashier="thabo",
            opened_at=opened_at,
            closed_at=iso(self.now + timedelta(hours=8)),
            opening_float_cents=50_000,
            cash_sales_cents=20_000,
            cash_refunds_cents=1_850,
            expected_cash_cents=68_150,
            counted_cash_cents=68_100,
            variance_cents=-50,
            sales_count=1,
            sales_total_cents=26_699,
            tenders=[TenderTotal(method="cash", count=1, amount_cents=20_000)],
            vat=[],
            voids_count=0,
            voids_cents=0,
            discounts_count=1,
            discounts_cents=250,
            returns_count=1,
            returns_cents=1_850,
            cancelled_count=0,
            no_sales_count=0,
        )
        return opened, self.envelope(ShiftClosed(report=report))

    def stock_receipt(self) -> Envelope:
        return self.envelope(
            StockMoved(sku="MAIZE-10", quantity="40", kind="receipt", reference="GRN-77", on_hand="52"),
            at_till=False,
        )

    def punch(self, direction: str = "in") -> Envelope:
        return self.envelope(
            TimeclockPunched(
                username="palesa",
                direction=direction,  # type: ignore[arg-type]
                punched_at=iso(self.now),
            )
        )

    def day(self, sales: int) -> Iterator[Envelope]:
        """A trading day: a punch, a shift, sales, one return, a stock receipt."""
        opened, closed = self.shift()
        yield self.punch("in")
        yield opened
        for _ in range(sales):
            yield self.sale()
        yield from self.sale_and_return()
        yield self.stock_receipt()
        yield closed
        yield self.punch("out")
