"""Synthetic daily demand with known structure (seeded), for the forecasting and pricing tests.

Each series is Poisson around level × store × calendar factor (weekday, month-end payday, holidays
from aiwebpos_models.calendar) × (price / regular)^elasticity, with promotions of 10–30 % off that run
a few days at random. Because the truth is known, the tests can ask whether a model learned it.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import polars as pl

from aiwebpos_models import calendar


@dataclass(frozen=True)
class Shop:
    stores: int = 2
    skus: int = 6
    days: int = 300
    start: date = date(2025, 1, 6)
    elasticity: dict[str, float] = field(default_factory=lambda: {"grocery": -2.0, "household": -1.2})
    promo_rate: float = 0.04  # chance a promotion starts on a given day
    seed: int = 7
    min_level: float = 2.0
    max_level: float = 25.0


def synthetic_demand(shop: Shop = Shop()) -> pl.DataFrame:
    rng = np.random.default_rng(shop.seed)
    days = [shop.start + timedelta(days=i) for i in range(shop.days)]
    calendar_factor = np.array([calendar.trading_day(d).factor for d in days])
    categories = list(shop.elasticity)
    frames = []
    for sku_index in range(shop.skus):
        category = categories[sku_index % len(categories)]
        level = rng.uniform(shop.min_level, shop.max_level)
        regular = int(rng.integers(10, 80)) * 100 - 1
        for store_index in range(shop.stores):
            store_factor = 1.0 + 0.4 * store_index
            price = np.full(shop.days, float(regular))
            day = 0
            while day < shop.days:
                if rng.random() < shop.promo_rate:
                    length = int(rng.integers(3, 8))
                    price[day : day + length] = regular * (1 - rng.choice([0.1, 0.2, 0.3]))
                    day += length + 7
                else:
                    day += 1
            mean = level * store_factor * calendar_factor * (price / regular) ** shop.elasticity[category]
            quantity = rng.poisson(mean).astype(float)
            price_cents = np.round(price).astype(np.int64)
            frames.append(
                pl.DataFrame(
                    {
                        "store_id": f"S{store_index + 1}",
                        "sku": f"SKU{sku_index:03d}",
                        "category": category,
                        "date": days,
                        "quantity": quantity,
                        "price_cents": price_cents,
                        "regular_price_cents": np.full(shop.days, regular, dtype=np.int64),
                        "promo": 1 - price_cents / regular,
                        "on_promo": price_cents <= 0.95 * regular,
                        "expected": mean,
                    }
                )
            )
    return pl.concat(frames).sort("store_id", "sku", "date")
