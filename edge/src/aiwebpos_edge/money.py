"""Exact money and quantity arithmetic.

Money is always an integer number of lisente (1 loti = 100 lisente) and quantities are integer
milli-units (1 each = 1000, 0.750 kg = 750). Nothing here uses float; every rounding is half away
from zero, so a refund is the exact mirror image of the sale it reverses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

__all__ = [
    "MAX_QUANTITY_MILLI",
    "QuantityError",
    "QuantityUnit",
    "allocate",
    "cash_rounding",
    "format_quantity",
    "line_amount",
    "parse_quantity",
    "percent_of",
    "round_half_up_div",
]

QuantityUnit = Literal["each", "kg"]

MILLI = 1000
MAX_QUANTITY_UNITS = 100_000
MAX_QUANTITY_MILLI = MAX_QUANTITY_UNITS * MILLI
CASH_ROUNDING_STEPS = frozenset({1, 5, 10})

# Plain ASCII decimal: optional sign, digits, optional fraction. "1.", ".5" are accepted; "\d" is not
# used because it also matches non-ASCII digits such as Arabic-Indic ones.
_QUANTITY_RE = re.compile(r"(?P<sign>[+-]?)(?P<whole>[0-9]*)(?:\.(?P<frac>[0-9]*))?")


class QuantityError(ValueError):
    """A quantity typed or scanned at the till cannot be used; the message is shown to the cashier."""


def round_half_up_div(numerator: int, denominator: int) -> int:
    """Return numerator / denominator rounded to the nearest integer, halves away from zero.

    -5/10 -> -1, 5/10 -> 1, 4/10 -> 0. The denominator must be positive.
    """
    if denominator <= 0:
        raise ValueError(f"denominator must be positive, got {denominator}")
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return -quotient if numerator < 0 else quotient


def line_amount(unit_price_cents: int, quantity_milli: int) -> int:
    """Price of a line: unit price x quantity (milli-units) / 1000, rounded half away from zero."""
    return round_half_up_div(unit_price_cents * quantity_milli, MILLI)


def percent_of(amount_cents: int, percent: Decimal) -> int:
    """amount x percent / 100, rounded half away from zero, computed exactly.

    The Decimal is turned into an exact fraction, so no Decimal context precision is involved.
    """
    if not percent.is_finite():
        raise ValueError(f"percent must be a finite number, got {percent}")
    numerator, denominator = percent.as_integer_ratio()
    return round_half_up_div(amount_cents * numerator, 100 * denominator)


def allocate(amount_cents: int, weights: Sequence[int]) -> list[int]:
    """Split amount across weights proportionally (largest-remainder method).

    The parts always sum exactly to amount, each part is within 1 of its exact share, and when
    0 <= amount <= sum(weights) no part exceeds its weight. Leftover lisente go to the largest
    remainders, ties to the earlier index. A negative amount is split as the mirror image of the
    positive one. Weights must be non-negative and not all zero unless amount is 0.
    """
    if any(weight < 0 for weight in weights):
        raise ValueError(f"weights must be non-negative, got {list(weights)}")
    total = sum(weights)
    if total == 0:
        if amount_cents != 0:
            raise ValueError(f"cannot allocate {amount_cents} over weights that are all zero")
        return [0] * len(weights)
    if amount_cents < 0:
        return [-part for part in allocate(-amount_cents, weights)]
    parts: list[int] = []
    remainders: list[int] = []
    for weight in weights:
        part, remainder = divmod(amount_cents * weight, total)
        parts.append(part)
        remainders.append(remainder)
    leftover = amount_cents - sum(parts)
    # leftover < number of non-zero remainders, so zero-weight (and exact) shares never get a lisente.
    by_largest_remainder = sorted(range(len(weights)), key=lambda index: (-remainders[index], index))
    for index in by_largest_remainder[:leftover]:
        parts[index] += 1
    return parts


def cash_rounding(amount_cents: int, step_cents: int) -> int:
    """Delta (rounded - amount) when rounding a cash total to the nearest multiple of step.

    step is 1 (no rounding, delta 0), 5 or 10. Ties round away from zero: up for sales, and down for
    refunds, so that a refund mirrors its sale: (255, 10) -> +5 and (-255, 10) -> -5.
    """
    if step_cents not in CASH_ROUNDING_STEPS:
        raise ValueError(f"cash rounding step must be one of 1, 5 or 10 lisente, got {step_cents}")
    return round_half_up_div(amount_cents, step_cents) * step_cents - amount_cents


def _shown(text: str) -> str:
    return repr(text if len(text) <= 20 else text[:20] + "...")


def parse_quantity(text: str, unit: QuantityUnit) -> int:
    """Parse a quantity typed at the till into milli-units.

    Accepts plain decimals such as "1", "2", "0.750", "1.5" (surrounding whitespace is ignored).
    Items sold by the each take whole numbers ("2.000" is fine); weighed items take at most 3
    decimals (trailing zeros beyond that are fine). The quantity must be more than zero and at most
    100000 units. Raises QuantityError with a message for the cashier.
    """
    if unit not in ("each", "kg"):
        raise ValueError(f"unknown unit {unit!r}")
    stripped = text.strip()
    match = _QUANTITY_RE.fullmatch(stripped)
    if match is None or not (match["whole"] or match["frac"]):
        raise QuantityError(f"{_shown(text)} is not a quantity")
    whole = match["whole"].lstrip("0")
    frac = (match["frac"] or "").rstrip("0")
    if match["sign"] == "-" and (whole or frac):
        raise QuantityError("quantity must be more than zero")
    if unit == "each" and frac:
        raise QuantityError("items sold by the each take whole quantities")
    if len(frac) > 3:
        raise QuantityError("at most 3 decimals for weighed items")
    # Check the digit count before int() so that a huge string cannot cost a big conversion.
    if len(whole) > len(str(MAX_QUANTITY_UNITS)):
        raise QuantityError(f"quantity must be at most {MAX_QUANTITY_UNITS}")
    milli = int(whole or "0") * MILLI + int(frac.ljust(3, "0"))
    if milli <= 0:
        raise QuantityError("quantity must be more than zero")
    if milli > MAX_QUANTITY_MILLI:
        raise QuantityError(f"quantity must be at most {MAX_QUANTITY_UNITS}")
    return milli


def format_quantity(milli: int, unit: QuantityUnit) -> str:
    """Show a quantity: "1", "12" for each; "0.750", "1.500" for kg (always 3 decimals).

    Negative quantities (returns) get a leading "-". An each-quantity that is not whole (which the
    till never produces) is shown with its decimals, trailing zeros removed, rather than refused.
    """
    sign = "-" if milli < 0 else ""
    whole, frac = divmod(abs(milli), MILLI)
    if unit == "kg":
        return f"{sign}{whole}.{frac:03d}"
    if unit == "each":
        if frac == 0:
            return f"{sign}{whole}"
        return f"{sign}{whole}.{frac:03d}".rstrip("0")
    raise ValueError(f"unknown unit {unit!r}")
