"""Daily demand of a store for each SKU, and how it turns into basket lines over the trading day (pure).

    λ = store scale × SKU weight × store affinity × day factor (weekday or holiday × eve × payday)
        × category season × (p / p0)^e × launch ramp × chain growth × the store-day's shock

and the units sold are negative binomial around λ (Poisson–gamma: overdispersed, as real sales are).
For weighed SKUs λ counts purchases, each of a random weight around the item's mean.
"""

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from aiwebpos_models.calendar import payday_factor, season_factor, trading_day
from aiwebpos_pipelines.history.catalog import Catalog
from aiwebpos_pipelines.history.categories import CATEGORIES
from aiwebpos_pipelines.history.moments import MINUTE

BASE_UNITS_PER_DAY = 1400.0  # what an average store sells on an ordinary day with 300 SKUs
GROWTH_PER_YEAR = 0.04
NEW_STORE_RAMP_DAYS = 60.0
LAUNCH_RAMP_DAYS = 20.0
MEAN_BASKET_LINES = 3.6
PAYDAY_BASKET_LINES = 4.6
NEVER = 1 << 40  # the day index of a product never discontinued


@dataclass(frozen=True)
class DemandModel:
    weight: np.ndarray  # (K,) share of a store's units
    category: np.ndarray  # (K,) category index
    elasticity: np.ndarray  # (K,) the true elasticity of each SKU's category
    base_price: np.ndarray  # (K,) p0: the first regular price
    dispersion: np.ndarray  # (K,)
    introduced: np.ndarray  # (K,) day index
    discontinued: np.ndarray  # (K,) day index (NEVER when never)
    weighed: np.ndarray  # (K,) bool
    mean_kg: np.ndarray  # (K,)
    multi_buy: np.ndarray  # (K,) chance another unit joins a line
    skus: int

    @classmethod
    def of(cls, catalog: Catalog, days: int) -> "DemandModel":
        products = catalog.products
        return cls(
            weight=catalog.array("weight").astype(float),
            category=catalog.array("category").astype(int),
            elasticity=np.array([catalog.elasticity[p.category] for p in products]),
            base_price=catalog.array("price_cents").astype(float),
            dispersion=catalog.array("dispersion").astype(float),
            introduced=catalog.array("introduced").astype(int),
            discontinued=np.array([NEVER if p.discontinued is None else p.discontinued for p in products]),
            weighed=np.array([p.weighed for p in products]),
            mean_kg=catalog.array("mean_kg").astype(float),
            multi_buy=np.array([CATEGORIES[p.category].multi_buy for p in products]),
            skus=len(products),
        )

    def store_scale(self, size: float) -> float:
        return float(BASE_UNITS_PER_DAY * size * (self.skus / 300) ** 0.25)

    def sold(self, day_index: int) -> np.ndarray:
        """Which SKUs are on sale on `day_index` (introduced, not discontinued)."""
        return (self.introduced <= day_index) & (day_index < self.discontinued)

    def expected(
        self,
        day: date,
        day_index: int,
        price_factor: np.ndarray,
        affinity: np.ndarray,
        scale: float,
        store_age_days: int,
        shock: float,
    ) -> np.ndarray:
        """λ of every SKU at one store on one day (0 for SKUs not sold that day)."""
        season = np.array([season_factor(day, c.winter, c.festive, c.school) for c in CATEGORIES])
        age = day_index - self.introduced
        ramp = np.where(age >= 0, 1 - 0.8 * np.exp(-np.maximum(age, 0) / LAUNCH_RAMP_DAYS), 0.0)
        ramp = np.where(self.introduced < 0, 1.0, ramp) * self.sold(day_index)
        store_ramp = 1 - 0.5 * math.exp(-store_age_days / NEW_STORE_RAMP_DAYS)
        trend = 1 + GROWTH_PER_YEAR * day_index / 365
        factor = trading_day(day).factor * store_ramp * trend * shock * scale
        return np.asarray(factor * self.weight * affinity * season[self.category] * price_factor * ramp)


def draw_units(rng: np.random.Generator, lam: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
    """Negative binomial draws with means `lam` (Poisson with a gamma-distributed rate)."""
    return rng.poisson(rng.gamma(dispersion, lam / dispersion))


def purchase_lines(
    rng: np.random.Generator, counts: np.ndarray, model: DemandModel
) -> tuple[np.ndarray, np.ndarray]:
    """The day's units as basket lines in a random order: (SKU index, quantity in milli-units) per line.

    Units of an item sold by the each join the line before them with the category's multi-buy chance
    (quantity 2, 3 …); each purchase of a weighed item is one line of its own weight (to 5 g)."""
    each = np.where(~model.weighed, counts, 0)
    unit_sku = np.repeat(np.arange(model.skus), each)
    first = np.ones(unit_sku.size, dtype=bool)
    first[1:] = unit_sku[1:] != unit_sku[:-1]
    starts = first | (rng.random(unit_sku.size) >= model.multi_buy[unit_sku])
    line_of_unit = np.cumsum(starts) - 1
    each_sku = unit_sku[starts]
    each_qty = (
        np.bincount(line_of_unit, minlength=each_sku.size) * 1000 if unit_sku.size else np.zeros(0, int)
    )
    kg_sku = np.repeat(np.arange(model.skus), np.where(model.weighed, counts, 0))
    grams = rng.gamma(4.0, model.mean_kg[kg_sku] * 1000 / 4.0)
    kg_qty = np.maximum(100, np.round(grams / 5) * 5).astype(np.int64)
    skus = np.concatenate([each_sku, kg_sku]).astype(np.int64)
    quantities = np.concatenate([each_qty, kg_qty]).astype(np.int64)
    order = rng.permutation(skus.size)
    return skus[order], quantities[order]


def basket_sizes(rng: np.random.Generator, lines: int, day: date) -> list[int]:
    """How many lines each basket of the day has (1 + negative binomial), covering `lines` exactly."""
    mean = PAYDAY_BASKET_LINES if payday_factor(day) > 1.1 else MEAN_BASKET_LINES
    sizes: list[int] = []
    total = 0
    while total < lines:
        drawn = (
            1 + rng.negative_binomial(1.3, 1.3 / (1.3 + mean - 1), max(16, (lines - total) // 3))
        ).tolist()
        for size in drawn:
            size = min(size, lines - total)
            sizes.append(size)
            total += size
            if total >= lines:
                break
    return sizes


def _bump(hours: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.asarray(np.exp(-0.5 * ((hours - centre) / width) ** 2))


def arrival_times(
    rng: np.random.Generator, count: int, opens_ms: int, closes_ms: int, day: date
) -> np.ndarray:
    """Sorted times (ms after local midnight) at which `count` customers reach a till: a small morning
    peak, lunch, and the big late-afternoon rush (Saturdays: late morning)."""
    minutes = np.arange(opens_ms // MINUTE, closes_ms // MINUTE - 2)
    hours = (minutes + 0.5) / 60
    short_day = (closes_ms - opens_ms) < 7 * 60 * MINUTE
    if short_day:
        density = 0.6 + _bump(hours, 11.0, 1.2)
    elif day.weekday() == 5:
        density = 0.5 + 1.4 * _bump(hours, 11.0, 1.5) + 0.6 * _bump(hours, 14.5, 1.0)
    else:
        density = (
            0.5 + 0.6 * _bump(hours, 9.0, 0.8) + 0.9 * _bump(hours, 12.8, 1.0) + 1.6 * _bump(hours, 17.0, 1.1)
        )
    chosen = rng.choice(minutes, size=count, p=density / density.sum())
    times = chosen * MINUTE + rng.integers(0, MINUTE, count)
    return np.sort(times)
