"""Reconnect delays (pure): exponential with full jitter, so a hundred stores coming back after a broker
outage do not all knock at the same second."""

import random


def backoff_delay(
    attempt: int, *, base: float = 0.5, cap: float = 60.0, rng: random.Random | None = None
) -> float:
    """A delay in [0, min(cap, base × 2^attempt)] (AWS's "full jitter")."""
    ceiling = min(cap, base * (2 ** min(attempt, 30)))
    return (rng or random).uniform(0, ceiling)
