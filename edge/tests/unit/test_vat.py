from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_edge.vat import (
    DEFAULT_VAT_RATES,
    VAT_CLASSES,
    VatClass,
    VatConfigError,
    VatLine,
    VatRate,
    rate_on,
    rate_percent,
    vat_breakdown,
)

STANDARD_15_REDUCED_10: dict[VatClass, int] = {"standard": 1500, "reduced": 1000}

# An illustrative history: the standard rate moves from 14 % to 15 %.
RATE_HISTORY = (
    VatRate("standard", 1400, date(2003, 7, 1)),
    VatRate("standard", 1500, date(2018, 4, 1)),
    VatRate("zero", 0, date(2003, 7, 1)),
)


# --- configuration ------------------------------------------------------------------------------


def test_the_classes_are_listed_in_receipt_order() -> None:
    assert VAT_CLASSES == ("standard", "reduced", "zero", "exempt")


@pytest.mark.parametrize(
    ("vat_class", "expected"), [("standard", 1500), ("reduced", 1000), ("zero", 0), ("exempt", 0)]
)
def test_the_default_configuration_has_a_rate_for_every_class(vat_class: VatClass, expected: int) -> None:
    assert rate_on(DEFAULT_VAT_RATES, vat_class, date(2025, 6, 30)) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2003, 7, 1), 1400),
        (date(2018, 3, 31), 1400),
        (date(2018, 4, 1), 1500),
        (date(2030, 1, 1), 1500),
    ],
)
def test_the_rate_on_a_day_is_the_latest_one_in_effect(day: date, expected: int) -> None:
    assert rate_on(RATE_HISTORY, "standard", day) == expected
    assert rate_on(reversed(RATE_HISTORY), "standard", day) == expected


def test_a_day_before_any_rate_took_effect_is_a_configuration_error() -> None:
    with pytest.raises(VatConfigError, match="no standard VAT rate is configured for 2003-06-30"):
        rate_on(RATE_HISTORY, "standard", date(2003, 6, 30))


def test_a_class_without_any_rate_is_a_configuration_error() -> None:
    with pytest.raises(VatConfigError, match="no reduced VAT rate"):
        rate_on(RATE_HISTORY, "reduced", date(2020, 1, 1))


def test_two_different_rates_taking_effect_on_the_same_day_are_a_configuration_error() -> None:
    rates = [VatRate("standard", 1400, date(2018, 4, 1)), VatRate("standard", 1500, date(2018, 4, 1))]
    with pytest.raises(VatConfigError, match="two standard VAT rates take effect on 2018-04-01"):
        rate_on(rates, "standard", date(2019, 1, 1))


def test_a_repeated_identical_rate_is_accepted() -> None:
    rates = [VatRate("standard", 1500, date(2018, 4, 1))] * 2
    assert rate_on(rates, "standard", date(2019, 1, 1)) == 1500


@pytest.mark.parametrize(
    ("vat_class", "rate_bp", "message"),
    [
        ("standard", -1, "must not be negative"),
        ("zero", 1500, "zero VAT class must have rate 0"),
        ("exempt", 1, "exempt VAT class must have rate 0"),
        ("luxury", 2000, "unknown VAT class 'luxury'"),
    ],
)
def test_an_impossible_rate_row_is_refused(vat_class: VatClass, rate_bp: int, message: str) -> None:
    with pytest.raises(VatConfigError, match=message):
        VatRate(vat_class, rate_bp, date(2020, 1, 1))


def test_a_vat_config_error_is_a_value_error() -> None:
    assert issubclass(VatConfigError, ValueError)


# --- vat_breakdown ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vat_class", "gross", "vat"),
    [
        ("standard", 11500, 1500),  # M115.00 contains M15.00 VAT
        ("standard", 100, 13),  # 13.04
        ("standard", 1999, 261),  # 260.74
        ("standard", 0, 0),
        ("standard", -100, -13),  # refunds mirror sales
        ("standard", -11500, -1500),
        ("reduced", 11000, 1000),
        ("reduced", 1100, 100),
        ("reduced", 999, 91),  # 90.82
        ("zero", 2000, 0),
        ("exempt", 500, 0),
    ],
)
def test_vat_is_the_tax_fraction_of_the_gross(vat_class: VatClass, gross: int, vat: int) -> None:
    [line] = vat_breakdown([(vat_class, gross)], STANDARD_15_REDUCED_10)
    assert line == VatLine(vat_class, STANDARD_15_REDUCED_10.get(vat_class, 0), gross, gross - vat, vat)


@pytest.mark.parametrize(
    ("gross", "vat"),
    # At 20 % the VAT of 3 lisente is exactly 0.5 (3 x 2000 / 12000): halves round away from zero.
    [(3, 1), (-3, -1), (9, 2), (-9, -2), (6, 1)],
)
def test_vat_rounds_an_exact_half_away_from_zero(gross: int, vat: int) -> None:
    [line] = vat_breakdown([("standard", gross)], {"standard": 2000})
    assert line.vat_cents == vat


def test_lines_are_grouped_by_class_in_receipt_order_and_rounded_once_per_class() -> None:
    lines: list[tuple[VatClass, int]] = [
        ("exempt", 500),
        ("standard", 5750),
        ("zero", 2000),
        ("standard", 5750),
        ("reduced", 1100),
        ("standard", -300),
    ]
    assert vat_breakdown(lines, STANDARD_15_REDUCED_10) == [
        VatLine("standard", 1500, 11200, 9739, 1461),  # 1460.87
        VatLine("reduced", 1000, 1100, 1000, 100),
        VatLine("zero", 0, 2000, 2000, 0),
        VatLine("exempt", 0, 500, 500, 0),
    ]


def test_per_class_rounding_can_differ_from_the_sum_of_per_line_vat() -> None:
    # One line of 100 lisente holds 13.04 VAT (13), but fifty of them hold 652.17 (652), not 50 x 13.
    [line] = vat_breakdown([("standard", 100)] * 50, STANDARD_15_REDUCED_10)
    assert line.vat_cents == 652


def test_classes_without_lines_are_left_out() -> None:
    assert vat_breakdown([("reduced", 1100)], STANDARD_15_REDUCED_10) == [
        VatLine("reduced", 1000, 1100, 1000, 100)
    ]
    assert vat_breakdown([], STANDARD_15_REDUCED_10) == []


def test_a_class_whose_lines_cancel_out_is_kept_with_zeros() -> None:
    assert vat_breakdown([("standard", 1999), ("standard", -1999)], STANDARD_15_REDUCED_10) == [
        VatLine("standard", 1500, 0, 0, 0)
    ]


def test_zero_rated_and_exempt_lines_need_no_configured_rate() -> None:
    assert vat_breakdown([("zero", 100), ("exempt", 200)], {}) == [
        VatLine("zero", 0, 100, 100, 0),
        VatLine("exempt", 0, 200, 200, 0),
    ]


def test_a_taxed_class_without_a_rate_is_a_configuration_error() -> None:
    with pytest.raises(VatConfigError, match="no reduced VAT rate is configured"):
        vat_breakdown([("reduced", 100)], {"standard": 1500})


def test_a_negative_rate_is_a_configuration_error() -> None:
    with pytest.raises(VatConfigError, match="must not be negative"):
        vat_breakdown([("standard", 100)], {"standard": -1500})


def test_an_unknown_class_is_refused() -> None:
    with pytest.raises(VatConfigError, match="unknown VAT class 'luxury'"):
        vat_breakdown([("luxury", 100)], STANDARD_15_REDUCED_10)  # type: ignore[list-item]


sale_lines = st.lists(st.tuples(st.sampled_from(VAT_CLASSES), st.integers(0, 10**9)), max_size=40)
rates = st.fixed_dictionaries({"standard": st.integers(0, 5000), "reduced": st.integers(0, 5000)})


@given(sale_lines, rates)
def test_vat_plus_net_is_the_gross_and_vat_never_exceeds_it(
    lines: list[tuple[VatClass, int]], rates_bp: dict[VatClass, int]
) -> None:
    breakdown = vat_breakdown(lines, rates_bp)
    assert [line.vat_class for line in breakdown] == [c for c in VAT_CLASSES if c in {c for c, _ in lines}]
    assert sum(line.gross_cents for line in breakdown) == sum(gross for _, gross in lines)
    for line in breakdown:
        assert line.vat_cents + line.net_cents == line.gross_cents
        assert 0 <= line.vat_cents <= line.gross_cents
        assert line.net_cents >= 0


@given(sale_lines, rates)
def test_a_refund_breakdown_mirrors_the_sale(
    lines: list[tuple[VatClass, int]], rates_bp: dict[VatClass, int]
) -> None:
    sale = vat_breakdown(lines, rates_bp)
    refund = vat_breakdown([(vat_class, -gross) for vat_class, gross in lines], rates_bp)
    assert refund == [
        VatLine(line.vat_class, line.rate_bp, -line.gross_cents, -line.net_cents, -line.vat_cents)
        for line in sale
    ]


# --- rate_percent -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate_bp", "expected"),
    [(1500, "15"), (1000, "10"), (0, "0"), (1250, "12.5"), (1234, "12.34"), (5, "0.05"), (10000, "100")],
)
def test_a_rate_is_shown_as_a_plain_percentage(rate_bp: int, expected: str) -> None:
    assert rate_percent(rate_bp) == expected
