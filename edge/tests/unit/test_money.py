from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_edge.money import (
    MAX_QUANTITY_MILLI,
    QuantityError,
    allocate,
    cash_rounding,
    format_quantity,
    line_amount,
    parse_quantity,
    percent_of,
    round_half_up_div,
)

# --- round_half_up_div -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (5, 10, 1),
        (-5, 10, -1),
        (4, 10, 0),
        (-4, 10, 0),
        (6, 10, 1),
        (-6, 10, -1),
        (15, 10, 2),
        (-15, 10, -2),
        (25, 10, 3),
        (0, 7, 0),
        (1, 3, 0),
        (2, 3, 1),
        (-2, 3, -1),
        (7, 1, 7),
        (10**40 + 1, 2, 5 * 10**39 + 1),
    ],
)
def test_division_rounds_halves_away_from_zero(numerator: int, denominator: int, expected: int) -> None:
    assert round_half_up_div(numerator, denominator) == expected


@pytest.mark.parametrize("denominator", [0, -1, -10])
def test_division_by_zero_or_a_negative_number_is_refused(denominator: int) -> None:
    with pytest.raises(ValueError, match="denominator must be positive"):
        round_half_up_div(10, denominator)


@given(st.integers(-(10**15), 10**15), st.integers(1, 10**6))
def test_division_matches_decimal_round_half_up(numerator: int, denominator: int) -> None:
    with localcontext() as context:
        context.prec = 100
        expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert round_half_up_div(numerator, denominator) == int(expected)


# --- line_amount --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit_price_cents", "quantity_milli", "expected"),
    [
        (1999, 1000, 1999),  # one loaf at M19.99
        (1999, 3000, 5997),  # three of them
        (2499, 750, 1874),  # 0.750 kg at M24.99/kg = 18.7425
        (4599, 1250, 5749),  # 1.250 kg at M45.99/kg = 57.4875
        (1999, 500, 1000),  # 9.995 rounds half up
        (1999, -1000, -1999),  # a returned loaf
        (1999, -500, -1000),  # returns mirror sales
        (0, 5000, 0),
    ],
)
def test_a_line_costs_price_times_quantity_rounded_half_up(
    unit_price_cents: int, quantity_milli: int, expected: int
) -> None:
    assert line_amount(unit_price_cents, quantity_milli) == expected


# --- percent_of ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "percent", "expected"),
    [
        (10000, Decimal(15), 1500),
        (999, Decimal(10), 100),  # 99.9
        (1999, Decimal("12.5"), 250),  # 249.875
        (-1999, Decimal("12.5"), -250),
        (1, Decimal(50), 1),  # exactly half a lisente rounds up
        (-1, Decimal(50), -1),
        (12345, Decimal("0.001"), 0),
        (10000, Decimal("1E+1"), 1000),
        (3, Decimal("33.333333333333333333333333333333333333"), 1),
        (10**30, Decimal(5), 5 * 10**28),  # beyond Decimal's default 28-digit precision
    ],
)
def test_a_percentage_of_an_amount_is_exact_and_rounded_half_up(
    amount: int, percent: Decimal, expected: int
) -> None:
    assert percent_of(amount, percent) == expected


@pytest.mark.parametrize("percent", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_a_percentage_that_is_not_a_number_is_refused(percent: Decimal) -> None:
    with pytest.raises(ValueError, match="finite"):
        percent_of(1000, percent)


@given(
    st.integers(-(10**12), 10**12),
    st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False),
)
def test_percent_of_matches_exact_fraction_arithmetic(amount: int, percent: Decimal) -> None:
    exact = Fraction(amount) * Fraction(percent) / 100
    sign = -1 if exact < 0 else 1
    expected = sign * int(abs(exact) + Fraction(1, 2))
    assert percent_of(amount, percent) == expected


# --- allocate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (2, [1, 1, 1], [1, 1, 0]),  # ties go to the earlier line
        (10, [1, 1], [5, 5]),
        (1000, [500, 300, 200], [500, 300, 200]),
        (100, [0, 5, 5], [0, 50, 50]),
        (1000, [2999, 4550, 1299], [339, 514, 147]),  # M10 off a three-line sale
        (5, [1999, 1, 1], [5, 0, 0]),
        (-100, [1, 1, 1], [-34, -33, -33]),  # a negative amount mirrors the positive one
        (0, [0, 0], [0, 0]),
        (0, [], []),
        (7, [3], [7]),
    ],
)
def test_allocation_uses_the_largest_remainder_method(
    amount: int, weights: list[int], expected: list[int]
) -> None:
    assert allocate(amount, weights) == expected


def test_allocation_refuses_negative_weights() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        allocate(100, [5, -1])


@pytest.mark.parametrize("weights", [[0, 0], []])
def test_allocating_money_over_nothing_is_refused(weights: list[int]) -> None:
    with pytest.raises(ValueError, match="all zero"):
        allocate(100, weights)


@given(st.integers(-(10**9), 10**9), st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
def test_allocation_sums_exactly_and_each_part_is_within_one_of_its_share(
    amount: int, weights: list[int]
) -> None:
    total = sum(weights)
    if total == 0:
        weights = [*weights[:-1], 1]
        total = sum(weights)
    parts = allocate(amount, weights)
    assert len(parts) == len(weights)
    assert sum(parts) == amount
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part * total - amount * weight) < total
        if weight == 0:
            assert part == 0


@given(st.data(), st.lists(st.integers(0, 100_000), min_size=1, max_size=30).filter(lambda ws: sum(ws) > 0))
def test_a_discount_never_exceeds_the_line_it_is_spread_over(data: st.DataObject, weights: list[int]) -> None:
    amount = data.draw(st.integers(0, sum(weights)))
    parts = allocate(amount, weights)
    assert all(0 <= part <= weight for part, weight in zip(parts, weights, strict=True))


# --- cash_rounding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "step", "delta"),
    [
        (253, 5, 2),
        (252, 5, -2),
        (251, 5, -1),
        (250, 5, 0),
        (255, 10, 5),  # a tie rounds up
        (254, 10, -4),
        (256, 10, 4),
        (250, 10, 0),
        (1234, 1, 0),  # step 1 means no cash rounding
        (0, 5, 0),
        (-253, 5, -2),
        (-252, 5, 2),
        (-255, 10, -5),  # a refund's tie rounds away from zero, mirroring its sale
    ],
)
def test_cash_rounding_gives_the_delta_to_the_nearest_step(amount: int, step: int, delta: int) -> None:
    assert cash_rounding(amount, step) == delta


@pytest.mark.parametrize("step", [0, 2, 20, 50, -5])
def test_cash_rounding_accepts_only_steps_of_1_5_or_10(step: int) -> None:
    with pytest.raises(ValueError, match="1, 5 or 10"):
        cash_rounding(100, step)


@given(st.integers(-(10**9), 10**9), st.sampled_from([1, 5, 10]))
def test_cash_rounding_lands_on_a_multiple_within_half_a_step(amount: int, step: int) -> None:
    delta = cash_rounding(amount, step)
    assert (amount + delta) % step == 0
    assert 2 * abs(delta) <= step
    assert cash_rounding(-amount, step) == -delta


# --- parse_quantity / format_quantity -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1", "each", 1000),
        ("2", "each", 2000),
        (" 3 ", "each", 3000),
        ("2.000", "each", 2000),
        ("+4", "each", 4000),
        ("0.750", "kg", 750),
        ("1.5", "kg", 1500),
        ("1", "kg", 1000),
        (".5", "kg", 500),
        ("2.", "kg", 2000),
        ("0.001", "kg", 1),
        ("1.2500", "kg", 1250),
        ("007", "each", 7000),
        ("100000", "each", 100_000_000),
        ("100000.000", "kg", 100_000_000),
    ],
)
def test_a_typed_quantity_is_read_in_milli_units(
    text: str, unit: Literal["each", "kg"], expected: int
) -> None:
    assert parse_quantity(text, unit) == expected


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("abc", "each", "'abc' is not a quantity"),
        ("", "each", "'' is not a quantity"),
        (".", "kg", "'.' is not a quantity"),
        ("1,5", "kg", "'1,5' is not a quantity"),
        ("1e3", "each", "'1e3' is not a quantity"),
        ("1.2.3", "kg", "'1.2.3' is not a quantity"),
        ("\u0661", "each", "is not a quantity"),  # ARABIC-INDIC DIGIT ONE
        ("0", "each", "quantity must be more than zero"),
        ("0.000", "kg", "quantity must be more than zero"),
        ("-1", "each", "quantity must be more than zero"),
        ("-0.5", "kg", "quantity must be more than zero"),
        ("1.5", "each", "items sold by the each take whole quantities"),
        ("0.7505", "kg", "at most 3 decimals for weighed items"),
        ("100000.001", "kg", "quantity must be at most 100000"),
        ("100001", "each", "quantity must be at most 100000"),
        ("9" * 5000, "each", "quantity must be at most 100000"),
    ],
)
def test_an_unusable_quantity_is_refused_with_a_message_for_the_cashier(
    text: str, unit: Literal["each", "kg"], message: str
) -> None:
    with pytest.raises(QuantityError, match=message):
        parse_quantity(text, unit)


def test_a_quantity_error_is_a_value_error() -> None:
    assert issubclass(QuantityError, ValueError)


@pytest.mark.parametrize(
    ("milli", "unit", "expected"),
    [
        (1000, "each", "1"),
        (12000, "each", "12"),
        (-2000, "each", "-2"),
        (0, "each", "0"),
        (1500, "each", "1.5"),  # never produced by the till, shown rather than refused
        (750, "kg", "0.750"),
        (1500, "kg", "1.500"),
        (1, "kg", "0.001"),
        (-750, "kg", "-0.750"),
        (0, "kg", "0.000"),
        (100_000_000, "kg", "100000.000"),
    ],
)
def test_a_quantity_is_shown_the_way_the_till_types_it(
    milli: int, unit: Literal["each", "kg"], expected: str
) -> None:
    assert format_quantity(milli, unit) == expected


@given(st.integers(1, MAX_QUANTITY_MILLI // 1000))
def test_each_quantities_survive_a_format_parse_round_trip(units: int) -> None:
    milli = units * 1000
    assert parse_quantity(format_quantity(milli, "each"), "each") == milli


@given(st.integers(1, MAX_QUANTITY_MILLI))
def test_weighed_quantities_survive_a_format_parse_round_trip(milli: int) -> None:
    assert parse_quantity(format_quantity(milli, "kg"), "kg") == milli
