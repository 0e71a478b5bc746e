"""Exception rules: what a loss-prevention manager already looks for, each with its reason in words.

A rule fires on a row of features; its weight is how strongly it alone suggests fraud. Rules combine as
independent evidence: score = 1 − Π(1 − weight of each rule that fired). Thresholds are parameters
(logged with each trained model), the conditions are code.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Row = Mapping[str, float]


@dataclass(frozen=True)
class Rule:
    name: str
    weight: float
    fires: Callable[[Row, Mapping[str, float]], bool]  # (features, thresholds)
    reason: Callable[[Row], str]


TRANSACTION_THRESHOLDS: dict[str, float] = {
    "voided_share": 0.25,
    "voided_count": 2.0,  # one void is everyday life: a wrong item, a changed mind
    "discount_share": 0.2,
    "override_share": 0.3,
    "minutes_outside_hours": 10.0,
    "quick_refund_minutes": 60.0,
    "sweetheart_cents_per_line": 400.0,
    "sweetheart_lines": 6.0,
}

SHIFT_THRESHOLDS: dict[str, float] = {
    "voids_per_sale": 0.25,
    "discount_value_share": 0.08,
    "return_value_share": 0.1,
    "cancels_per_sale": 0.08,
    "no_sales_per_hour": 1.0,
    "short_cash_share": 0.02,
    "cash_refunds_within_hour": 0.03,
    "minutes_outside_hours": 30.0,
}


def _money(cents: float) -> str:
    return f"M {cents / 100:,.2f}"


TRANSACTION_RULES: tuple[Rule, ...] = (
    Rule(
        "many_voids",
        0.5,
        lambda r, t: r["voided_share"] >= t["voided_share"] and r["voided_count"] >= t["voided_count"],
        lambda r: f"{r['voided_count']:.0f} line(s) voided, {r['voided_share']:.0%} of the sale's value",
    ),
    Rule(
        "big_discount",
        0.4,
        lambda r, t: r["discount_share"] >= t["discount_share"],
        lambda r: f"discount of {r['discount_share']:.0%} of the sale",
    ),
    Rule(
        "price_overrides",
        0.4,
        lambda r, t: r["override_share"] >= t["override_share"] and r["overridden_lines"] >= 1,
        lambda r: f"{r['overridden_lines']:.0f} price(s) overridden",
    ),
    Rule(
        "outside_hours",
        0.6,
        lambda r, t: r["minutes_outside_hours"] >= t["minutes_outside_hours"],
        lambda r: f"{r['minutes_outside_hours']:.0f} min outside trading hours",
    ),
    Rule(
        "quick_cash_refund",
        0.55,
        lambda r, t: (
            r["is_return"] > 0
            and r["cash_share"] > 0
            and r["refund_minutes_after_sale"] <= t["quick_refund_minutes"]
        ),
        lambda r: f"cash refund {r['refund_minutes_after_sale']:.0f} min after the sale",
    ),
    Rule(
        "refund_by_seller",
        0.2,
        lambda r, t: r["is_return"] > 0 and r["refund_by_seller"] > 0 and r["cash_share"] > 0,
        lambda r: "refunded in cash by the cashier who made the sale",
    ),
    Rule(
        "sweetheart_basket",
        0.35,
        lambda r, t: (
            r["is_return"] == 0
            and r["line_count"] >= t["sweetheart_lines"]
            and r["cents_per_line"] <= t["sweetheart_cents_per_line"]
        ),
        lambda r: f"{r['line_count']:.0f} lines for {_money(r['total_cents'])}",
    ),
)


def _at_least(name: str) -> Callable[[Row, Mapping[str, float]], bool]:
    """A rule that fires when the feature `name` reaches its threshold of the same name."""
    return lambda row, thresholds: row[name] >= thresholds[name]


_SHIFT_REASONS: tuple[tuple[str, float, Callable[[Row], str]], ...] = (
    ("voids_per_sale", 0.4, lambda r: f"{r['voids_per_sale']:.2f} voids per sale"),
    ("discount_value_share", 0.35, lambda r: f"discounts {r['discount_value_share']:.0%} of sales"),
    ("return_value_share", 0.35, lambda r: f"refunds {r['return_value_share']:.0%} of sales"),
    ("cancels_per_sale", 0.35, lambda r: f"{r['cancels_per_sale']:.0%} of sales cancelled"),
    ("no_sales_per_hour", 0.45, lambda r: f"{r['no_sales_per_hour']:.1f} no-sales an hour"),
    ("short_cash_share", 0.45, lambda r: f"cash short by {r['short_cash_share']:.1%} of cash taken"),
    (
        "cash_refunds_within_hour",
        0.45,
        lambda r: f"{r['cash_refunds_within_hour']:.0%} of sales refunded in cash within the hour",
    ),
    (
        "minutes_outside_hours",
        0.3,
        lambda r: f"{r['minutes_outside_hours']:.0f} min of sales outside hours",
    ),
)
SHIFT_RULES: tuple[Rule, ...] = tuple(
    Rule(name, weight, _at_least(name), describe) for name, weight, describe in _SHIFT_REASONS
)


def apply_rules(
    rows: list[dict[str, Any]], rules: tuple[Rule, ...], thresholds: Mapping[str, float]
) -> tuple[list[float], list[list[str]]]:
    """The rules' combined score (0..1) and the reasons of the rules that fired, for each row."""
    scores, reasons = [], []
    for row in rows:
        remaining, fired = 1.0, []
        for rule in rules:
            if rule.fires(row, thresholds):
                remaining *= 1.0 - rule.weight
                fired.append(rule.reason(row))
        scores.append(1.0 - remaining)
        reasons.append(fired)
    return scores, reasons
