"""A shift's tally and its Z report (pure), counted as the node counts them (`aiwebpos_edge.shifts.report`).

    expected cash = opening float + cash tendered on completed sales − change − cash refunds
                    + cash paid onto customer accounts at the till

`tenders` has one entry per method that moved: sales' payments (cash net of change), refunds as
negative "<method>_refund" entries, and "cash_account_payment". Voids count every line voided in the
shift's sales at its scanned value; discounts count the discounted lines of completed sales.
"""

from dataclasses import dataclass, field

from aiwebpos_contracts.events import ShiftReport, TenderTotal
from aiwebpos_contracts.receipts import Receipt, VatBreakdown, VatClass
from aiwebpos_pipelines.history.money import VAT_CLASSES

_SALE_TENDERS = ("cash", "card", "mobile_money", "account")
_ORDER = (*_SALE_TENDERS, *(f"{m}_refund" for m in _SALE_TENDERS), "cash_account_payment")


@dataclass
class ShiftTally:
    shift_id: str
    terminal_id: str
    cashier: str
    opened_at: str
    opening_float_cents: int
    tenders: dict[str, list[int]] = field(default_factory=dict)  # method → [count, amount]
    vat: dict[tuple[VatClass, str], list[int]] = field(
        default_factory=dict
    )  # (class, rate) → [gross, net, vat]
    cash_tendered: int = 0
    change: int = 0
    cash_refunds: int = 0
    cash_account_payments: int = 0
    sales_count: int = 0
    sales_total: int = 0
    voids_count: int = 0
    voids_cents: int = 0
    discounts_count: int = 0
    discounts_cents: int = 0
    returns_count: int = 0
    returns_cents: int = 0
    cancelled_count: int = 0
    no_sales_count: int = 0

    def _tender(self, method: str, amount: int, count: int = 1) -> None:
        entry = self.tenders.setdefault(method, [0, 0])
        entry[0] += count
        entry[1] += amount

    def _add_vat(self, breakdown: list[VatBreakdown]) -> None:
        for b in breakdown:
            entry = self.vat.setdefault((b.vat_class, b.rate), [0, 0, 0])
            entry[0] += b.gross_cents
            entry[1] += b.net_cents
            entry[2] += b.vat_cents

    def sale(self, receipt: Receipt, voided_cents: list[int]) -> None:
        self.sales_count += 1
        self.sales_total += receipt.total_cents
        for payment in receipt.payments:
            self._tender(payment.method, payment.amount_cents)
            if payment.method == "cash":
                self.cash_tendered += payment.amount_cents
        if receipt.change_cents:
            self._tender("cash", -receipt.change_cents, count=0)
            self.change += receipt.change_cents
        self._add_vat(receipt.vat_breakdown)
        self.voided(voided_cents)
        discounted = sum(1 for line in receipt.lines if line.discount_cents)
        self.discounts_count += discounted
        self.discounts_cents += receipt.discount_cents

    def voided(self, voided_cents: list[int]) -> None:
        self.voids_count += len(voided_cents)
        self.voids_cents += sum(voided_cents)

    def refund(self, credit_note: Receipt, method: str, refund_cents: int) -> None:
        self.returns_count += 1
        self.returns_cents += refund_cents
        self._tender(f"{method}_refund", -refund_cents)
        if method == "cash":
            self.cash_refunds += refund_cents
        self._add_vat(credit_note.vat_breakdown)

    def account_payment(self, cents: int) -> None:
        self._tender("cash_account_payment", cents)
        self.cash_account_payments += cents

    @property
    def expected_cash_cents(self) -> int:
        return (
            self.opening_float_cents
            + self.cash_tendered
            - self.change
            - self.cash_refunds
            + self.cash_account_payments
        )

    def z_report(self, closed_at: str, counted_cash_cents: int) -> ShiftReport:
        expected = self.expected_cash_cents
        methods = sorted(self.tenders, key=lambda m: (_ORDER.index(m) if m in _ORDER else len(_ORDER), m))
        vat_keys = sorted(self.vat, key=lambda k: (VAT_CLASSES.index(k[0]), k[1]))
        return ShiftReport(
            kind="z",
            shift_id=self.shift_id,
            terminal_id=self.terminal_id,
            cashier=self.cashier,
            opened_at=self.opened_at,
            closed_at=closed_at,
            opening_float_cents=self.opening_float_cents,
            cash_sales_cents=self.cash_tendered - self.change,
            cash_refunds_cents=self.cash_refunds,
            expected_cash_cents=expected,
            counted_cash_cents=counted_cash_cents,
            variance_cents=counted_cash_cents - expected,
            sales_count=self.sales_count,
            sales_total_cents=self.sales_total,
            tenders=[
                TenderTotal(method=m, count=self.tenders[m][0], amount_cents=self.tenders[m][1])
                for m in methods
            ],
            vat=[
                VatBreakdown(
                    vat_class=cls,
                    rate=rate,
                    gross_cents=self.vat[(cls, rate)][0],
                    net_cents=self.vat[(cls, rate)][1],
                    vat_cents=self.vat[(cls, rate)][2],
                )
                for cls, rate in vat_keys
            ],
            voids_count=self.voids_count,
            voids_cents=self.voids_cents,
            discounts_count=self.discounts_count,
            discounts_cents=self.discounts_cents,
            returns_count=self.returns_count,
            returns_cents=self.returns_cents,
            cancelled_count=self.cancelled_count,
            no_sales_count=self.no_sales_count,
        )
