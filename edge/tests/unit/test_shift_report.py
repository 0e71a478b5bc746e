import pytest

from aiwebpos_contracts.events import TenderTotal
from aiwebpos_contracts.receipts import VatBreakdown, VatClass
from aiwebpos_edge.shifts.report import (
    PaymentFacts,
    ReturnFacts,
    SaleFacts,
    ShiftActivity,
    ShiftFacts,
    VoidedLineFacts,
    shift_report,
)

SHIFT = ShiftFacts("S1", "T1", "thabo", "2026-11-23T06:00:00.000Z", 50_000)


def _vat(vat_class: VatClass, rate: str, gross: int, vat: int) -> VatBreakdown:
    return VatBreakdown(
        vat_class=vat_class, rate=rate, gross_cents=gross, net_cents=gross - vat, vat_cents=vat
    )


# A morning at T1, worked by hand:
#  sale A  M85.48 standard, cash rounded up to M85.50, paid M100 cash LSL, M14.50 change
#  sale B  M20.00 zero-rated (maize meal), paid R20 cash (ZAR at par)
#  sale C  M115.00 standard with a M5.00 line discount, paid by card
#  a return of M11.50 standard goods, refunded in cash
#  Mpho pays M30.00 cash onto her account; two lines voided; one sale cancelled; two no-sales
ACTIVITY = ShiftActivity(
    sales=[
        SaleFacts(8_548, 0, 2, 1_450, [_vat("standard", "15", 8_548, 1_115)]),
        SaleFacts(2_000, 0, 0, 0, [_vat("zero", "0", 2_000, 0)]),
        SaleFacts(11_500, 500, 0, 0, [_vat("standard", "15", 11_500, 1_500)], discounted_lines=1),
    ],
    payments=[
        PaymentFacts("cash", 10_000, "LSL"),
        PaymentFacts("cash", 2_000, "ZAR"),
        PaymentFacts("card", 11_500),
    ],
    voided_lines=[VoidedLineFacts(1_299, 2_000), VoidedLineFacts(0, 1_000, amount_cents=750)],
    returns=[ReturnFacts("cash", 1_150, [_vat("standard", "15", -1_150, -150)])],
    cash_account_payments=[3_000],
    cancelled_count=1,
    no_sales_count=2,
)


def test_expected_cash_counts_change_zar_refunds_and_account_payments() -> None:
    report = shift_report(
        "z", SHIFT, ACTIVITY, closed_at="2026-11-23T14:00:00.000Z", counted_cash_cents=62_000
    )
    # float 500.00 + cash 100.00 + R20.00 − change 14.50 − refund 11.50 + account 30.00 = 624.00
    assert report.cash_sales_cents == 10_550
    assert report.cash_refunds_cents == 1_150
    assert report.expected_cash_cents == 62_400
    assert (report.counted_cash_cents, report.variance_cents) == (62_000, -400)
    assert report.kind == "z" and report.closed_at == "2026-11-23T14:00:00.000Z"


def test_tenders_list_sales_refunds_and_account_cash_and_explain_the_drawer() -> None:
    report = shift_report("x", SHIFT, ACTIVITY)
    assert report.tenders == [
        TenderTotal(method="cash", count=2, amount_cents=10_550),
        TenderTotal(method="card", count=1, amount_cents=11_500),
        TenderTotal(method="cash_refund", count=1, amount_cents=-1_150),
        TenderTotal(method="cash_account_payment", count=1, amount_cents=3_000),
    ]
    cash = sum(t.amount_cents for t in report.tenders if t.method.startswith("cash"))
    assert SHIFT.opening_float_cents + cash == report.expected_cash_cents


def test_vat_is_by_class_across_sales_minus_returns() -> None:
    report = shift_report("x", SHIFT, ACTIVITY)
    assert report.vat == [
        VatBreakdown(vat_class="standard", rate="15", gross_cents=18_898, net_cents=16_433, vat_cents=2_465),
        VatBreakdown(vat_class="zero", rate="0", gross_cents=2_000, net_cents=2_000, vat_cents=0),
    ]


def test_counts_and_totals_of_the_shift() -> None:
    report = shift_report("x", SHIFT, ACTIVITY)
    assert (report.sales_count, report.sales_total_cents, report.rounding_cents) == (3, 22_048, 2)
    assert (report.voids_count, report.voids_cents) == (2, 2_598 + 750)
    assert (report.discounts_count, report.discounts_cents) == (1, 500)
    assert (report.returns_count, report.returns_cents) == (1, 1_150)
    assert (report.cancelled_count, report.no_sales_count) == (1, 2)


def test_an_x_report_has_no_count_and_a_z_report_needs_one() -> None:
    report = shift_report("x", SHIFT, ACTIVITY, counted_cash_cents=1)
    assert (report.counted_cash_cents, report.variance_cents, report.closed_at) == (None, None, None)
    with pytest.raises(ValueError, match="counted cash"):
        shift_report("z", SHIFT, ACTIVITY, closed_at="2026-11-23T14:00:00.000Z")


def test_a_rate_change_during_the_shift_keeps_the_rates_apart() -> None:
    activity = ShiftActivity(
        sales=[
            SaleFacts(1_150, 0, 0, 0, [_vat("standard", "15", 1_150, 150)]),
            SaleFacts(1_160, 0, 0, 0, [_vat("standard", "16", 1_160, 160)]),
        ]
    )
    assert [(v.rate, v.vat_cents) for v in shift_report("x", SHIFT, activity).vat] == [
        ("15", 150),
        ("16", 160),
    ]


def test_a_shift_with_nothing_in_it_expects_the_float() -> None:
    report = shift_report("z", SHIFT, ShiftActivity(), closed_at="t", counted_cash_cents=50_000)
    assert report.expected_cash_cents == 50_000 and report.variance_cents == 0
    assert report.tenders == [] and report.vat == []
