"""What a partial return refunds (pure).

A line's refund is its share of what was paid for it. Computing the cumulative refund for everything
returned so far, and subtracting what earlier returns refunded, makes the refunds of a line add up
exactly to its total once all of it has come back, whatever the rounding of each return.
"""

from aiwebpos_edge.money import round_half_up_div


def cumulative_refund(line_total_cents: int, sold_milli: int, returned_milli: int) -> int:
    return round_half_up_div(line_total_cents * returned_milli, sold_milli)


def refund_for(line_total_cents: int, sold_milli: int, before_milli: int, now_milli: int) -> int:
    """The refund of returning `now_milli` more when `before_milli` has already been returned."""
    after = cumulative_refund(line_total_cents, sold_milli, before_milli + now_milli)
    return after - cumulative_refund(line_total_cents, sold_milli, before_milli)
