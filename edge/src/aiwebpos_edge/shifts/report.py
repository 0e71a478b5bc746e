"""The X and Z reports of a shift: one pure function over plain rows, so it is easy to check by hand.

Cash the drawer should hold:

    expected = opening float
             + cash tendered on completed sales (LSL, and ZAR taken at par)
             − change given (always in LSL cash)
             − cash refunds
             + cash that customers paid onto their accounts at this till during the shift

`tenders` lists what moved through each means of payment, one entry per kind that occurred:

    "cash", "card", "mobile_money", "account"   payments on completed sales (cash net of change given)
    "cash_refund", "card_refund", …              refunds, as NEGATIVE amounts
    "cash_account_payment"                       cash paid onto customer accounts (positive)

so `expected_cash_cents` = `opening_float_cents` + the sum of the entries whose method starts with
"cash". `returns_cents` and `cash_refunds_cents` are positive amounts paid back.

`vat` is per class and rate across the completed sales, minus the returns (whose own breakdowns carry
negative amounts). `variance_cents` = counted − expected, on the Z report only.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from aiwebpos_contracts.events import ShiftReport, TenderTotal
from aiwebpos_contracts.receipts import VatBreakdown, VatClass
from aiwebpos_edge.money import line_amount
from aiwebpos_edge.vat import VAT_CLASSES

_SALE_TENDERS = ("cash", "card", "mobile_money", "account")


@dataclass(frozen=True)
class ShiftFacts:
    id: str
    terminal_id: str
    cashier: str
    opened_at: str
    opening_float_cents: int


@dataclass(frozen=True)
class SaleFacts:
    """A completed sale of the shift, with the totals fixed at completion."""

    total_cents: int
    discount_cents: int
    rounding_cents: int
    change_cents: int
    vat_breakdown: Sequence[VatBreakdown] = ()
    discounted_lines: int = 0  # lines (not voided) that carry a discount
    sale_discount: bool = False  # a discount on the whole sale


@dataclass(frozen=True)
class PaymentFacts:
    """A payment on a completed sale of the shift."""

    method: str
    amount_cents: int
    currency: str = "LSL"


@dataclass(frozen=True)
class VoidedLineFacts:
    unit_price_cents: int
    quantity_milli: int
    amount_cents: int | None = None  # a price-embedded barcode fixes the amount


@dataclass(frozen=True)
class ReturnFacts:
    refund_method: str
    refund_cents: int  # paid back: positive
    vat_breakdown: Sequence[VatBreakdown] = ()  # negative amounts, as on the credit note


@dataclass(frozen=True)
class ShiftActivity:
    sales: Sequence[SaleFacts] = ()
    payments: Sequence[PaymentFacts] = ()
    voided_lines: Sequence[VoidedLineFacts] = ()
    returns: Sequence[ReturnFacts] = ()
    cash_account_payments: Sequence[int] = ()  # positive amounts, cash only
    cancelled_count: int = 0
    no_sales_count: int = 0


def _tenders(activity: ShiftActivity) -> list[TenderTotal]:
    totals: dict[str, list[int]] = {}  # method → [count, amount]

    def add(method: str, amount: int) -> None:
        entry = totals.setdefault(method, [0, 0])
        entry[0] += 1
        entry[1] += amount

    for payment in activity.payments:
        add(payment.method, payment.amount_cents)  # ZAR cash is taken at par
    change = sum(sale.change_cents for sale in activity.sales)
    if change:
        totals.setdefault("cash", [0, 0])[1] -= change
    for ret in activity.returns:
        add(f"{ret.refund_method}_refund", -ret.refund_cents)
    for amount in activity.cash_account_payments:
        add("cash_account_payment", amount)
    order = [*_SALE_TENDERS, *(f"{m}_refund" for m in _SALE_TENDERS), "cash_account_payment"]
    methods = sorted(totals, key=lambda m: (order.index(m) if m in order else len(order), m))
    return [TenderTotal(method=m, count=totals[m][0], amount_cents=totals[m][1]) for m in methods]


def _vat(activity: ShiftActivity) -> list[VatBreakdown]:
    sums: dict[tuple[VatClass, str], list[int]] = {}  # (class, rate) → [gross, net, vat]
    breakdowns = [b for s in activity.sales for b in s.vat_breakdown]
    breakdowns += [b for r in activity.returns for b in r.vat_breakdown]
    for b in breakdowns:
        entry = sums.setdefault((b.vat_class, b.rate), [0, 0, 0])
        entry[0] += b.gross_cents
        entry[1] += b.net_cents
        entry[2] += b.vat_cents
    keys = sorted(sums, key=lambda k: (VAT_CLASSES.index(k[0]), k[1]))
    return [
        VatBreakdown(vat_class=cls, rate=rate, gross_cents=gross, net_cents=net, vat_cents=vat)
        for (cls, rate) in keys
        for gross, net, vat in [sums[(cls, rate)]]
    ]


def shift_report(
    kind: Literal["x", "z"],
    shift: ShiftFacts,
    activity: ShiftActivity,
    *,
    closed_at: str | None = None,
    counted_cash_cents: int | None = None,
) -> ShiftReport:
    if kind == "z" and (closed_at is None or counted_cash_cents is None):
        raise ValueError("a Z report needs the closing time and the counted cash")
    cash_tendered = sum(p.amount_cents for p in activity.payments if p.method == "cash")
    cash_sales = cash_tendered - sum(s.change_cents for s in activity.sales)
    cash_refunds = sum(r.refund_cents for r in activity.returns if r.refund_method == "cash")
    expected = shift.opening_float_cents + cash_sales - cash_refunds + sum(activity.cash_account_payments)
    counted = counted_cash_cents if kind == "z" else None
    voids = [
        v.amount_cents if v.amount_cents is not None else line_amount(v.unit_price_cents, v.quantity_milli)
        for v in activity.voided_lines
    ]
    return ShiftReport(
        kind=kind,
        shift_id=shift.id,
        terminal_id=shift.terminal_id,
        cashier=shift.cashier,
        opened_at=shift.opened_at,
        closed_at=closed_at if kind == "z" else None,
        opening_float_cents=shift.opening_float_cents,
        cash_sales_cents=cash_sales,
        cash_refunds_cents=cash_refunds,
        expected_cash_cents=expected,
        counted_cash_cents=counted,
        variance_cents=None if counted is None else counted - expected,
        sales_count=len(activity.sales),
        sales_total_cents=sum(s.total_cents for s in activity.sales),
        tenders=_tenders(activity),
        vat=_vat(activity),
        voids_count=len(voids),
        voids_cents=sum(voids),
        discounts_count=sum(s.discounted_lines + int(s.sale_discount) for s in activity.sales),
        discounts_cents=sum(s.discount_cents for s in activity.sales),
        returns_count=len(activity.returns),
        returns_cents=sum(r.refund_cents for r in activity.returns),
        cancelled_count=activity.cancelled_count,
        no_sales_count=activity.no_sales_count,
        rounding_cents=sum(s.rounding_cents for s in activity.sales),
    )
