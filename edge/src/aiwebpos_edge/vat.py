"""Lesotho VAT on tax-inclusive (gross) shelf prices.

Rates are configuration, not code: DEFAULT_VAT_RATES is only an illustrative default. A store's
rates come from its configuration as a list of VatRate rows with the date each takes effect, so a
rate change is a new row, and sales before the change keep their old rate.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from aiwebpos_edge.money import round_half_up_div

__all__ = [
    "DEFAULT_VAT_RATES",
    "VAT_CLASSES",
    "VatClass",
    "VatConfigError",
    "VatLine",
    "VatRate",
    "rate_on",
    "rate_percent",
    "vat_breakdown",
]

VatClass = Literal["standard", "reduced", "zero", "exempt"]

# Also the order in which classes appear on a receipt's VAT breakdown.
VAT_CLASSES: tuple[VatClass, ...] = ("standard", "reduced", "zero", "exempt")

# Classes that never carry VAT whatever the configuration says about their rate.
_NO_VAT_CLASSES: frozenset[VatClass] = frozenset({"zero", "exempt"})

BASIS_POINTS = 10_000


class VatConfigError(ValueError):
    """The VAT configuration cannot answer the question (missing, ambiguous or invalid rate)."""


@dataclass(frozen=True)
class VatRate:
    vat_class: VatClass
    rate_bp: int  # basis points: 1500 = 15 %
    effective_from: datetime.date

    def __post_init__(self) -> None:
        if self.vat_class not in VAT_CLASSES:
            raise VatConfigError(f"unknown VAT class {self.vat_class!r}")
        if self.rate_bp < 0:
            raise VatConfigError(f"VAT rate must not be negative, got {self.rate_bp} basis points")
        if self.vat_class in _NO_VAT_CLASSES and self.rate_bp != 0:
            raise VatConfigError(f"the {self.vat_class} VAT class must have rate 0, got {self.rate_bp}")


_ILLUSTRATIVE_START = datetime.date(2000, 1, 1)

DEFAULT_VAT_RATES: tuple[VatRate, ...] = (
    VatRate("standard", 1500, _ILLUSTRATIVE_START),
    VatRate("reduced", 1000, _ILLUSTRATIVE_START),
    VatRate("zero", 0, _ILLUSTRATIVE_START),
    VatRate("exempt", 0, _ILLUSTRATIVE_START),
)


def rate_on(rates: Iterable[VatRate], vat_class: VatClass, day: datetime.date) -> int:
    """Rate (basis points) of vat_class on day: the row with the latest effective_from <= day.

    Raises VatConfigError when no row applies, or when two rows for the class take effect on the
    same day with different rates.
    """
    best: VatRate | None = None
    for rate in rates:
        if rate.vat_class != vat_class or rate.effective_from > day:
            continue
        if best is None or rate.effective_from > best.effective_from:
            best = rate
        elif rate.effective_from == best.effective_from and rate.rate_bp != best.rate_bp:
            raise VatConfigError(
                f"two {vat_class} VAT rates take effect on {rate.effective_from}: "
                f"{rate_percent(best.rate_bp)} % and {rate_percent(rate.rate_bp)} %"
            )
    if best is None:
        raise VatConfigError(f"no {vat_class} VAT rate is configured for {day.isoformat()}")
    return best.rate_bp


@dataclass(frozen=True)
class VatLine:
    vat_class: VatClass
    rate_bp: int
    gross_cents: int
    net_cents: int
    vat_cents: int


def vat_breakdown(
    gross_by_line: Iterable[tuple[VatClass, int]], rates_bp: Mapping[VatClass, int]
) -> list[VatLine]:
    """VAT contained in tax-inclusive totals, one VatLine per class present.

    Gross is summed per class first and the VAT rounded once per class:
    vat = gross x rate / (10000 + rate), half away from zero, so a refund (negative gross) mirrors
    its sale. net = gross - vat. Classes come in the order standard, reduced, zero, exempt; a class
    with no lines is left out (a class whose lines cancel out is kept, with zeros). zero and exempt
    always give 0 VAT and rate 0; any other class missing from rates_bp is a VatConfigError.
    """
    gross_by_class: dict[VatClass, int] = {}
    for vat_class, gross_cents in gross_by_line:
        if vat_class not in VAT_CLASSES:
            raise VatConfigError(f"unknown VAT class {vat_class!r}")
        gross_by_class[vat_class] = gross_by_class.get(vat_class, 0) + gross_cents
    breakdown: list[VatLine] = []
    for vat_class in VAT_CLASSES:
        if vat_class not in gross_by_class:
            continue
        gross = gross_by_class[vat_class]
        if vat_class in _NO_VAT_CLASSES:
            rate_bp = 0
        elif vat_class in rates_bp:
            rate_bp = rates_bp[vat_class]
        else:
            raise VatConfigError(f"no {vat_class} VAT rate is configured")
        if rate_bp < 0:
            raise VatConfigError(f"VAT rate must not be negative, got {rate_bp} basis points")
        vat = round_half_up_div(gross * rate_bp, BASIS_POINTS + rate_bp)
        breakdown.append(VatLine(vat_class, rate_bp, gross, gross - vat, vat))
    return breakdown


def rate_percent(rate_bp: int) -> str:
    """A rate in basis points as a percentage for receipts: 1500 -> "15", 1250 -> "12.5", 0 -> "0"."""
    sign = "-" if rate_bp < 0 else ""
    whole, hundredths = divmod(abs(rate_bp), 100)
    if hundredths == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{hundredths:02d}".rstrip("0")
