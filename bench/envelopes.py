"""A chain's event stream as its store nodes publish it: envelopes built with the contract Structs.

Each store has 4 terminals and its own gap-free `seq`. Its day opens with staff clocking in and a shift
per terminal (`timeclock.punched`, `shift.opened` and its `audit.recorded`); then mostly
`sale.completed` (1–8 lines of the demo grocery, VAT per class, cash in LSL or ZAR or card, change, a
fraud score), a void's `audit.recorded` before 10 % of the sales, and now and then a return
(`return.completed` with its credit note), a delivery (`stock.moved`) or a no-sale (`drawer.opened`).
The stores' streams are interleaved as they would arrive at the broker. Sizes are those of the node's
own envelopes (a sale ≈ 2 KB).
"""

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import msgspec

from aiwebpos_contracts import Envelope, encode_envelope, event_type_of, uuid7
from aiwebpos_contracts.events import (
    AuditRecorded,
    DrawerOpened,
    FraudScore,
    ReturnCompleted,
    ReturnedLine,
    SaleCompleted,
    ShiftOpened,
    StockMoved,
    TimeclockPunched,
)
from aiwebpos_contracts.receipts import PaymentRecord, Receipt, ReceiptLine, VatBreakdown
from aiwebpos_contracts.topics import event_topic
from aiwebpos_edge.catalog.models import NewProduct
from aiwebpos_edge.demo.catalog import demo_products
from bench.mqtt_load import Message

START = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
RATES = {"standard": 15, "reduced": 10, "zero": 0, "exempt": 0}
CASHIERS = ("thabo", "palesa", "lerato", "mpho")


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StoreStream:
    def __init__(self, store_id: str, rng: random.Random) -> None:
        self.store_id, self.rng = store_id, rng
        self.seq, self.receipts, self.audit_id = 0, 0, 0
        self.prev_hash = "0" * 64
        self.now = START
        self.products = demo_products()
        self.shifts = {f"T{i}": str(uuid7()) for i in range(1, 5)}
        self.sold: list[Receipt] = []

    def envelope(self, payload: msgspec.Struct, terminal: str | None) -> Envelope:
        self.seq += 1
        self.now += timedelta(milliseconds=self.rng.randint(500, 6000))
        return Envelope(
            event_id=str(uuid7()),
            type=event_type_of(payload),
            store_id=self.store_id,
            terminal_id=terminal,
            seq=self.seq,
            occurred_at=iso(self.now),
            payload=msgspec.to_builtins(payload),
        )

    def audit(self, action: str, actor: str, terminal: str | None, **details: object) -> Envelope:
        self.audit_id += 1
        digest = hashlib.sha256(f"{self.prev_hash}{action}{details}".encode()).hexdigest()
        entry = AuditRecorded(
            audit_id=self.audit_id,
            action=action,
            actor=actor,
            details=details,
            hash=digest,
            prev_hash=self.prev_hash,
        )
        self.prev_hash = digest
        return self.envelope(entry, terminal)

    def opening(self) -> Iterator[Envelope]:
        for i, (terminal, shift_id) in enumerate(self.shifts.items()):
            cashier = CASHIERS[i]
            yield self.envelope(
                TimeclockPunched(username=cashier, direction="in", punched_at=iso(self.now)), terminal
            )
            opened = ShiftOpened(
                shift_id=shift_id,
                terminal_id=terminal,
                cashier=cashier,
                opened_at=iso(self.now),
                opening_float_cents=50_000,
            )
            yield self.envelope(opened, terminal)
            yield self.audit("shift.opened", cashier, terminal, shift_id=shift_id, opening_float_cents=50_000)

    def line(self, line_id: int, product: NewProduct) -> ReceiptLine:
        quantity = (
            f"{self.rng.randint(250, 2500) / 1000:.3f}"
            if product.unit == "kg"
            else str(self.rng.choice([1, 1, 1, 2, 3]))
        )
        total = round(product.price_cents * float(quantity))
        return ReceiptLine(
            line_id=line_id,
            sku=product.sku,
            name=product.name,
            quantity=quantity,
            unit="kg" if product.unit == "kg" else "each",
            unit_price_cents=product.price_cents,
            discount_cents=0,
            total_cents=total,
            vat_class=product.vat_class,
            vat_rate=str(RATES[product.vat_class]),
        )

    def receipt(
        self, terminal: str, cashier: str, lines: list[ReceiptLine], payments: list[PaymentRecord]
    ) -> Receipt:
        self.receipts += 1
        vat: list[VatBreakdown] = []
        for vat_class in sorted({line.vat_class for line in lines}):
            gross = sum(line.total_cents for line in lines if line.vat_class == vat_class)
            rate = RATES[vat_class]
            tax = (2 * gross * rate + 100 + rate) // (2 * (100 + rate))
            vat.append(
                VatBreakdown(
                    vat_class=vat_class,
                    rate=str(rate),
                    gross_cents=gross,
                    net_cents=gross - tax,
                    vat_cents=tax,
                )
            )
        total = sum(line.total_cents for line in lines)
        paid = sum(p.amount_cents for p in payments)
        return Receipt(
            receipt_no=f"{self.store_id}-{terminal}-{self.receipts:08d}",
            sale_id=str(uuid7()),
            store_id=self.store_id,
            terminal_id=terminal,
            cashier=cashier,
            completed_at=iso(self.now),
            lines=lines,
            total_cents=total,
            vat_cents=sum(v.vat_cents for v in vat),
            vat_breakdown=vat,
            payments=payments,
            paid_cents=paid,
            change_cents=max(0, paid - total),
            vat_number="LS-VAT-0123456",
            store_name=f"Sunrise Grocers {self.store_id}",
            store_address="Kingsway Road, Maseru 100, Lesotho",
            shift_id=self.shifts[terminal],
            subtotal_cents=total,
            total_due_cents=total,
        )

    def sale(self, terminal: str, cashier: str) -> Iterator[Envelope]:
        rng = self.rng
        lines = [self.line(i, rng.choice(self.products)) for i in range(1, rng.randint(1, 8) + 1)]
        if len(lines) > 1 and rng.random() < 0.1:
            voided = lines.pop(0)
            yield self.audit(
                "line.voided",
                cashier,
                terminal,
                sku=voided.sku,
                value_cents=voided.total_cents,
                reason="customer changed mind",
            )
        total = sum(line.total_cents for line in lines)
        if rng.random() < 0.3:
            payments = [
                PaymentRecord(
                    payment_id=1,
                    method="card",
                    amount_cents=total,
                    reference=f"AUTH{rng.randint(1000, 9999)}",
                )
            ]
        else:
            tendered = total if rng.random() < 0.4 else (total // 5000 + 1) * 5000
            payments = [
                PaymentRecord(
                    payment_id=1, method="cash", amount_cents=tendered, currency=rng.choice(["LSL", "ZAR"])
                )
            ]
        receipt = self.receipt(terminal, cashier, lines, payments)
        self.sold.append(receipt)
        fraud = FraudScore(model="fraud-sale", version="1", score=round(rng.random() * 0.2, 4))
        yield self.envelope(SaleCompleted(receipt=receipt, cashier=cashier, fraud=fraud), terminal)

    def return_(self, terminal: str, cashier: str) -> Iterator[Envelope]:
        original = self.rng.choice(self.sold)
        line = original.lines[0]
        back = msgspec.structs.replace(line, quantity=f"-{line.quantity}", total_cents=-line.total_cents)
        note = msgspec.structs.replace(
            self.receipt(
                terminal,
                cashier,
                [back],
                [PaymentRecord(payment_id=0, method="cash", amount_cents=-line.total_cents)],
            ),
            document="credit_note",
            original_receipt_no=original.receipt_no,
            change_cents=0,
        )
        returned = ReturnedLine(
            line_id=line.line_id,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            refund_cents=line.total_cents,
            vat_class=line.vat_class,
        )
        yield self.audit(
            "return.approved",
            "lerato",
            terminal,
            receipt_no=original.receipt_no,
            refund_cents=line.total_cents,
        )
        yield self.envelope(
            ReturnCompleted(
                return_id=str(uuid7()),
                receipt=note,
                original_receipt_no=original.receipt_no,
                original_sale_id=original.sale_id,
                lines=[returned],
                refund_method="cash",
                refund_cents=line.total_cents,
                reason="damaged",
                cashier=cashier,
                approved_by="lerato",
            ),
            terminal,
        )

    def events(self) -> Iterator[Envelope]:
        yield from self.opening()
        rng, terminals = self.rng, list(self.shifts)
        while True:
            index = rng.randrange(len(terminals))
            terminal, cashier, roll = terminals[index], CASHIERS[index], rng.random()
            if roll < 0.01 and self.sold:
                yield from self.return_(terminal, cashier)
            elif roll < 0.03:
                product = rng.choice(self.products)
                yield self.envelope(
                    StockMoved(
                        sku=product.sku,
                        quantity=str(rng.randint(6, 48)),
                        kind="receipt",
                        reference=f"GRN-{self.seq}",
                    ),
                    None,
                )
            elif roll < 0.04:
                yield self.envelope(
                    DrawerOpened(
                        shift_id=self.shifts[terminal],
                        cashier=cashier,
                        reason="change for a customer",
                        opened_at=iso(self.now),
                    ),
                    terminal,
                )
            else:
                yield from self.sale(terminal, cashier)


def chain_stream(stores: list[str], total: int, seed: int = 11) -> list[Envelope]:
    """`total` envelopes of `stores`, interleaved one store after the other as they would arrive."""
    rng = random.Random(seed)
    streams = [StoreStream(store_id, rng).events() for store_id in stores]
    out: list[Envelope] = []
    while len(out) < total:
        for stream in streams:
            out.append(next(stream))
    return out[:total]


def as_messages(envelopes: list[Envelope]) -> list[Message]:
    """What each store publishes: (its user, its event topic, the envelope's bytes)."""
    return [(e.store_id, event_topic(e.store_id, e.type), encode_envelope(e)) for e in envelopes]
