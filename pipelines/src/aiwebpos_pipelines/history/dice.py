"""Scalar random draws for the per-sale hot path, from blocks of a seeded numpy Generator (a numpy call
per draw costs microseconds; a draw from a block costs tens of nanoseconds)."""

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

T = TypeVar("T")
_BLOCK = 16_384


class Dice:
    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._pool: list[float] = []

    def random(self) -> float:
        """Uniform on [0, 1)."""
        if not self._pool:
            self._pool = self._rng.random(_BLOCK).tolist()
        return self._pool.pop()

    def integers(self, low: int, high: int) -> int:
        """Uniform on low … high − 1."""
        return low + int(self.random() * (high - low))

    def pick(self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def index(self, cumulative: Sequence[float]) -> int:
        """An index drawn with the probabilities whose running sums are `cumulative` (last one 1)."""
        draw = self.random()
        for i, bound in enumerate(cumulative):
            if draw < bound:
                return i
        return len(cumulative) - 1
