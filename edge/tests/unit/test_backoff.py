import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_edge.sync.backoff import backoff_delay


@given(attempt=st.integers(min_value=0, max_value=10_000), seed=st.integers())
def test_a_delay_is_never_negative_nor_past_the_cap(attempt: int, seed: int) -> None:
    delay = backoff_delay(attempt, base=0.5, cap=60, rng=random.Random(seed))
    assert 0 <= delay <= min(60.0, 0.5 * 2 ** min(attempt, 30))


@pytest.mark.parametrize(("attempt", "ceiling"), [(0, 0.5), (1, 1.0), (3, 4.0), (7, 60.0), (50, 60.0)])
def test_the_ceiling_doubles_until_the_cap(attempt: int, ceiling: float) -> None:
    delays = [backoff_delay(attempt, rng=random.Random(i)) for i in range(2000)]
    assert max(delays) <= ceiling and max(delays) > 0.9 * ceiling, "full jitter spreads up to the ceiling"
    assert min(delays) < 0.1 * ceiling, "and down to nearly nothing: stores do not reconnect in step"
