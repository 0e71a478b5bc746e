"""Pure price arithmetic of the recommendations: shelf endings, the margin-optimal price, markdowns.

Prices are VAT-inclusive integer lisente; costs are VAT-exclusive (input VAT is reclaimed), so margins
compare the price net of VAT with the cost.
"""

import math


def net_of_vat(price_cents: float, vat_rate: float) -> float:
    return price_cents / (1 + vat_rate)


def shelf_price(target_cents: float, lower_cents: float, upper_cents: float) -> int | None:
    """The shelf price (ending .49 or .99) nearest `target_cents` within [lower, upper]; None if the
    range holds no shelf price. Ties go to the lower price (the shopper's side)."""
    low, high = math.ceil(lower_cents), math.floor(upper_cents)
    first, last = (low + 1) // 50, (high + 1) // 50  # candidates are 50·k − 1 for k in [first, last]
    candidates = [50 * k - 1 for k in range(max(first, 1), last + 1) if low <= 50 * k - 1 <= high]
    if not candidates:
        return None
    return min(candidates, key=lambda price: (abs(price - target_cents), price))


def margin_optimal_price(cost_cents: float, elasticity: float, vat_rate: float) -> float | None:
    """The VAT-inclusive price that maximises (net price − cost) × units under constant elasticity:
    net p* = c·e / (1 + e). Only defined for elastic demand (e < −1); None otherwise (for inelastic
    demand margin keeps growing with price, so the caller's bound decides)."""
    if elasticity >= -1.0 or cost_cents <= 0:
        return None
    return cost_cents * elasticity / (1 + elasticity) * (1 + vat_rate)


def units_ratio(new_price: float, old_price: float, elasticity: float) -> float:
    """Units sold at `new_price` relative to `old_price` under constant elasticity."""
    return float((new_price / old_price) ** elasticity)


def clearance_markdown(stock_to_demand: float, elasticity: float) -> float | None:
    """The markdown (share of the price, 0…1) that lifts demand by `stock_to_demand` (stock ÷ forecast
    demand over the window): (1 − m)^e = ratio. None when demand barely responds to price
    (|e| < 0.2: no markdown would clear the stock) or nothing needs clearing (ratio ≤ 1)."""
    if stock_to_demand <= 1.0:
        return None
    if elasticity > -0.2:
        return None
    return 1 - float(stock_to_demand ** (1 / elasticity))
