"""Money, VAT and quantities of the generated receipts (pure), computed as the till computes them.

Integer lisente, quantities in milli-units (1 each = 1000, 0.750 kg = 750), rounding half away from
zero. VAT is per class on the receipt's gross total for that class: vat = round_half_up(gross × r / (1 + r)).
This is the one pure rule of `aiwebpos_edge.vat` and `aiwebpos_edge.money`, re-implemented here rather
than imported, so that the cloud side never installs the store node's package (a test pins the two to
the same answers).
"""

from collections.abc import Iterable
from typing import Literal

from aiwebpos_contracts.receipts import VatBreakdown, VatClass

VAT_CLASSES: tuple[VatClass, ...] = ("standard", "reduced", "zero", "exempt")  # order on a receipt
RATE_BP: dict[VatClass, int] = {"standard": 1500, "reduced": 1000, "zero": 0, "exempt": 0}
RATE_TEXT: dict[VatClass, str] = {"standard": "15", "reduced": "10", "zero": "0", "exempt": "0"}

Unit = Literal["each", "kg"]


def round_half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero (denominator > 0)."""
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return -quotient if numerator < 0 else quotient


def line_amount(unit_price_cents: int, quantity_milli: int) -> int:
    """unit price × quantity, rounded half away from zero."""
    return round_half_up_div(unit_price_cents * quantity_milli, 1000)


def vat_of(gross_cents: int, rate_bp: int) -> int:
    """The VAT contained in a tax-inclusive amount: gross × r / (1 + r), half away from zero."""
    if not rate_bp:
        return 0
    return round_half_up_div(gross_cents * rate_bp, 10_000 + rate_bp)


def vat_breakdown(gross_by_line: Iterable[tuple[VatClass, int]]) -> list[VatBreakdown]:
    """One row per VAT class present, in receipt order; gross summed per class, VAT rounded once."""
    gross: dict[VatClass, int] = {}
    for vat_class, cents in gross_by_line:
        gross[vat_class] = gross.get(vat_class, 0) + cents
    rows = []
    for vat_class in VAT_CLASSES:
        if vat_class in gross:
            total = gross[vat_class]
            vat = vat_of(total, RATE_BP[vat_class])
            rows.append(
                VatBreakdown(
                    vat_class=vat_class,
                    rate=RATE_TEXT[vat_class],
                    gross_cents=total,
                    net_cents=total - vat,
                    vat_cents=vat,
                )
            )
    return rows


def format_quantity(milli: int, unit: Unit) -> str:
    """ "1", "12" for each; "0.750" for kg (always 3 decimals); a leading "-" for returns."""
    sign = "-" if milli < 0 else ""
    whole, fraction = divmod(abs(milli), 1000)
    if unit == "kg":
        return f"{sign}{whole}.{fraction:03d}"
    return f"{sign}{whole}" if fraction == 0 else f"{sign}{whole}.{fraction:03d}".rstrip("0")


def shelf_price(cents: float) -> int:
    """A price as a shop writes it: M x.99 or M x.49 (M 0.99 at least)."""
    return max(99, round(cents / 50) * 50 - 1)


def allocate(amount_cents: int, weights: list[int]) -> list[int]:
    """Split `amount_cents` over positive weights in proportion (largest remainder; ties to the first)."""
    total = sum(weights)
    shares = [amount_cents * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(amount_cents * weights[i] % total), i))
    for i in remainders[: amount_cents - sum(shares)]:
        shares[i] += 1
    return shares
