"""Pricing a sale (pure): line amounts, line and sale discounts, VAT by class, cash settlement.

All integer lisente. A whole-sale discount is spread over the lines in proportion to their value
(largest remainder), so each VAT class is taxed on what was really paid for it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from aiwebpos_edge.money import allocate, cash_rounding, line_amount, percent_of
from aiwebpos_edge.vat import VatClass, VatLine, vat_breakdown


@dataclass(frozen=True)
class Discount:
    percent: Decimal | None = None
    amount_cents: int | None = None

    def of(self, amount: int) -> int:
        if self.percent is not None:
            return min(amount, percent_of(amount, self.percent))
        return min(amount, self.amount_cents or 0)


@dataclass(frozen=True)
class LineInput:
    line_id: int
    vat_class: VatClass
    quantity_milli: int
    unit_price_cents: int
    fixed_amount_cents: int | None = None  # from a price-embedded barcode
    discount: Discount | None = None
    voided: bool = False

    @property
    def gross_cents(self) -> int:
        if self.fixed_amount_cents is not None:
            return self.fixed_amount_cents
        return line_amount(self.unit_price_cents, self.quantity_milli)


@dataclass(frozen=True)
class PricedLine:
    line_id: int
    vat_class: VatClass
    gross_cents: int
    line_discount_cents: int
    sale_discount_cents: int
    total_cents: int

    @property
    def discount_cents(self) -> int:
        return self.line_discount_cents + self.sale_discount_cents


@dataclass(frozen=True)
class PricedSale:
    lines: list[PricedLine]
    subtotal_cents: int  # before any discount
    discount_cents: int
    total_cents: int
    vat: list[VatLine]

    @property
    def vat_cents(self) -> int:
        return sum(v.vat_cents for v in self.vat)


def price_sale(
    lines: Sequence[LineInput], sale_discount: Discount | None, rates_bp: Mapping[VatClass, int]
) -> PricedSale:
    live = [line for line in lines if not line.voided]
    gross = [line.gross_cents for line in live]
    line_discounts = [
        line.discount.of(g) if line.discount else 0 for line, g in zip(live, gross, strict=True)
    ]
    nets = [g - d for g, d in zip(gross, line_discounts, strict=True)]
    whole = sale_discount.of(sum(nets)) if sale_discount else 0
    shares = allocate(whole, nets) if whole else [0] * len(nets)
    priced = [
        PricedLine(line.line_id, line.vat_class, g, d, s, n - s)
        for line, g, d, n, s in zip(live, gross, line_discounts, nets, shares, strict=True)
    ]
    total = sum(p.total_cents for p in priced)
    vat = vat_breakdown([(p.vat_class, p.total_cents) for p in priced], rates_bp)
    return PricedSale(priced, sum(gross), sum(p.discount_cents for p in priced), total, vat)


def discount_percent(discount_cents: int, of_cents: int) -> Decimal:
    """The effective percentage of a discount, to compare with the limit that needs a manager."""
    return Decimal(0) if of_cents <= 0 else Decimal(discount_cents * 100) / Decimal(of_cents)


@dataclass(frozen=True)
class Tendered:
    method: str
    amount_cents: int


@dataclass(frozen=True)
class Settlement:
    paid_cents: int
    rounding_cents: int  # posted after VAT: the cash part of the total rounded to the step
    total_due_cents: int
    outstanding_cents: int  # still to pay (0 when settled)
    change_cents: int  # given back in cash

    @property
    def settled(self) -> bool:
        return self.outstanding_cents == 0


def settle(total_cents: int, payments: Sequence[Tendered], rounding_step: int) -> Settlement:
    """Cash rounding applies to the part of the total left for cash once the other tenders are counted,
    and only when cash is tendered. Change comes only out of cash."""
    non_cash = sum(p.amount_cents for p in payments if p.method != "cash")
    cash = sum(p.amount_cents for p in payments if p.method == "cash")
    cash_part = max(0, total_cents - non_cash)
    rounding = cash_rounding(cash_part, rounding_step) if cash and rounding_step > 1 else 0
    due = total_cents + rounding
    paid = cash + non_cash
    return Settlement(paid, rounding, due, max(0, due - paid), min(cash, max(0, paid - due)))


def cash_due(total_cents: int, payments: Sequence[Tendered], rounding_step: int) -> int:
    """What the till asks for in cash now: the outstanding amount as it would be rounded for cash."""
    non_cash = sum(p.amount_cents for p in payments if p.method != "cash")
    cash = sum(p.amount_cents for p in payments if p.method == "cash")
    cash_part = max(0, total_cents - non_cash)
    rounded = cash_part + (cash_rounding(cash_part, rounding_step) if rounding_step > 1 else 0)
    return max(0, rounded - cash)
