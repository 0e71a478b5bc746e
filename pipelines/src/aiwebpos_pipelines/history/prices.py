"""The chain's shelf prices day by day (pure, seeded): permanent changes of the regular price and
temporary promotions, the same at every store (HQ sets prices for the chain).

A promotion cuts the price by 10–30 % for one or two weeks. Demand follows the price through the
category's elasticity e, relative to the SKU's first regular price p0: q ∝ (p / p0)^e, so both the
promotions and the permanent changes identify e.
"""

from dataclasses import dataclass

import numpy as np

from aiwebpos_pipelines.history.catalog import Catalog
from aiwebpos_pipelines.history.categories import CATEGORIES
from aiwebpos_pipelines.history.money import shelf_price


@dataclass(frozen=True)
class Promotion:
    sku: str
    first_day: int
    last_day: int  # inclusive
    regular_cents: int
    promo_cents: int


@dataclass(frozen=True)
class PricePlan:
    price: np.ndarray  # (days, K) int64: the shelf price charged that day
    regular: np.ndarray  # (days, K) int64: the regular price that day (price < regular during a promotion)
    promotions: tuple[Promotion, ...]
    price_changes: int

    def demand_factor(self, day: int, base: np.ndarray, elasticity: np.ndarray) -> np.ndarray:
        """(p / p0)^e of every SKU on `day` (p0: `base`, the first regular prices)."""
        return np.asarray(np.power(self.price[day] / base, elasticity))


def _permanent_path(rng: np.random.Generator, first: int, days: int, per_year: float) -> np.ndarray:
    path = np.full(days, first, dtype=np.int64)
    changes = rng.poisson(per_year * days / 365)
    for day in np.sort(rng.integers(1, max(days, 2), changes)):
        before = int(path[day])
        if rng.random() < 0.8:  # mostly inflation
            factor = float(np.exp(rng.normal(0.06, 0.03)))
            factor = max(factor, 1.01)
        else:
            factor = min(float(np.exp(rng.normal(-0.06, 0.03))), 0.99)
        after = shelf_price(before * factor)
        if after == before:
            after = before + (50 if factor > 1 else -50) if before > 149 else before + 50
        path[day:] = after
    return path


def build_price_plan(rng: np.random.Generator, catalog: Catalog, days: int) -> PricePlan:
    k = len(catalog)
    regular = np.empty((days, k), dtype=np.int64)
    price = np.empty((days, k), dtype=np.int64)
    promotions: list[Promotion] = []
    changes = 0
    for column, product in enumerate(catalog.products):
        category = CATEGORIES[product.category]
        if product.fixed_price:
            regular[:, column] = product.price_cents
            price[:, column] = product.price_cents
            continue
        path = _permanent_path(rng, product.price_cents, days, category.price_changes_per_year)
        changes += int(np.count_nonzero(np.diff(path)))
        regular[:, column] = path
        charged = path.copy()
        busy_until = -1
        for start in np.sort(rng.integers(0, days, rng.poisson(category.promotions_per_year * days / 365))):
            start = int(start)
            if start <= busy_until:  # promotions of one SKU never overlap, and leave a week between them
                continue
            length = int(rng.integers(7, 15))
            last = min(days - 1, start + length - 1)
            depth = float(rng.uniform(0.10, 0.30))
            cut = min(shelf_price(path[start] * (1 - depth)), int(path[start]) - 50)
            if cut < 99:
                continue
            charged[start : last + 1] = np.minimum(path[start : last + 1], cut)
            promotions.append(Promotion(product.sku, start, last, int(path[start]), cut))
            busy_until = last + 7
        price[:, column] = charged
    return PricePlan(price, regular, tuple(promotions), changes)
