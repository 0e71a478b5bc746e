"""The chain's catalog (pure, seeded): K SKUs over the categories, with prices, costs, pack sizes, lead
times, popularity, and the products introduced or discontinued during the history.

Popularity is long-tailed (log-normal within a category), so a few SKUs sell most of the units, as in
any grocery. Each category's true price elasticity is drawn once and shared by its SKUs.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from aiwebpos_contracts.receipts import VatClass
from aiwebpos_pipelines.history.categories import CATEGORIES, PACK_VARIANTS, Category, Item
from aiwebpos_pipelines.history.money import RATE_BP, Unit, shelf_price

NEW_PRODUCT_SHARE = 0.08  # of the SKUs, introduced during a history of 60 days or more
DISCONTINUED_SHARE = 0.05


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: int  # index into CATEGORIES
    vat_class: VatClass
    unit: Unit
    price_cents: int  # the regular shelf price on the first day of the history
    cost_cents: int  # excluding VAT
    pack_size: int
    lead_time_days: int  # 0: not stocked
    introduced: int  # day index (0 = first day of the history; negative: before it)
    discontinued: int | None  # day index of the first day it is no longer sold
    weight: float  # share of the category's units a store sells
    dispersion: float  # negative binomial shape of its daily demand (smaller: burstier)
    mean_kg: float  # weighed items: mean weight of one purchase
    fixed_price: bool

    @property
    def stocked(self) -> bool:
        return self.lead_time_days > 0

    @property
    def weighed(self) -> bool:
        return self.unit == "kg"


@dataclass(frozen=True)
class Catalog:
    products: tuple[Product, ...]
    elasticity: dict[int, float]  # category index → its true price elasticity
    start: date

    def __len__(self) -> int:
        return len(self.products)

    def day_of(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def array(self, name: str) -> np.ndarray:
        return np.array([getattr(p, name) for p in self.products])


def _allocate(skus: int) -> dict[int, int]:
    """How many SKUs each category gets: its range share, at least one, at most what it can name."""
    by_need = sorted(range(len(CATEGORIES)), key=lambda i: CATEGORIES[i].essential)
    if skus < len(CATEGORIES):
        return {i: 1 for i in by_need[:skus]}
    capacity = {i: _capacity(CATEGORIES[i]) for i in by_need}
    total_share = sum(c.range_share for c in CATEGORIES)
    counts = {
        i: min(capacity[i], max(1, round(skus * CATEGORIES[i].range_share / total_share))) for i in by_need
    }
    while sum(counts.values()) != skus:
        excess = sum(counts.values()) - skus
        open_ = [i for i in by_need if (counts[i] < capacity[i] if excess < 0 else counts[i] > 1)]
        if not open_:
            raise ValueError(f"the categories cannot name {skus} different SKUs")
        biggest = max(open_, key=lambda i: (CATEGORIES[i].range_share, -i))
        counts[biggest] += -1 if excess > 0 else 1
    return counts


def _capacity(category: Category) -> int:
    total = 0
    for item in category.items:
        if item.fixed:
            total += len(item.sizes)
        else:
            brands = len(category.brands) if item.branded and category.brands else 1
            total += brands * len(item.sizes) * len(PACK_VARIANTS)
    return total


def max_skus() -> int:
    return sum(_capacity(category) for category in CATEGORIES)


def _name(item: Item, brand: str, size: str, variant: str) -> str:
    parts = [brand, item.name, size] if brand else [item.name, size]
    name = " ".join(part for part in parts if part)
    return f"{name} ({variant})" if variant else name


def _candidates(
    rng: np.random.Generator, category: Category
) -> list[tuple[Item, str, str, float, str, float]]:
    """Every (item, brand, size, size multiplier, variant, variant multiplier) of the category, the plain
    variants first, each variant's combinations in a random order."""
    found = []
    for variant, variant_mult in PACK_VARIANTS:
        combos = []
        for item in category.items:
            if item.fixed and variant:
                continue
            brands = category.brands if item.branded and category.brands else ("",)
            combos += [
                (item, brand, size, mult, variant, variant_mult)
                for brand in brands
                for size, mult in item.sizes
            ]
        found += [combos[i] for i in rng.permutation(len(combos))]
    return found


def build_catalog(rng: np.random.Generator, skus: int, start: date, days: int) -> Catalog:
    """K = `skus` products for a history of `days` days from `start`."""
    counts = _allocate(skus)
    share_total = sum(CATEGORIES[i].unit_share for i in counts)
    products: list[Product] = []
    elasticity: dict[int, float] = {}
    for index in sorted(counts):
        category = CATEGORIES[index]
        low, high = sorted(category.elasticity)
        elasticity[index] = round(float(rng.uniform(low, high)), 3)
        premium = {brand: float(rng.lognormal(0, 0.1)) for brand in category.brands}
        chosen = _candidates(rng, category)[: counts[index]]
        popularity = rng.lognormal(0, 1.0, len(chosen)) * np.array([0.5 if c[4] else 1.0 for c in chosen])
        popularity *= (category.unit_share / share_total) / popularity.sum()
        for number, ((item, brand, size, mult, variant, variant_mult), weight) in enumerate(
            zip(chosen, popularity, strict=True), start=1
        ):
            products.append(
                _product(
                    rng,
                    category,
                    index,
                    item,
                    (brand, size, mult * premium.get(brand, 1.0), variant, variant_mult),
                    number,
                    float(weight),
                    days,
                )
            )
    return Catalog(tuple(products), elasticity, start)


def _product(
    rng: np.random.Generator,
    category: Category,
    index: int,
    item: Item,
    choice: tuple[str, str, float, str, float],  # brand, size, price multiplier (with the brand's premium), …
    number: int,
    weight: float,
    days: int,
) -> Product:
    brand, size, mult, variant, variant_mult = choice
    if item.fixed:
        price = round(item.price_cents * mult)
    else:
        noise = float(rng.lognormal(0, 0.05))  # this SKU's own deviation from its brand's prices
        price = shelf_price(item.price_cents * mult * variant_mult * noise)
    rate = RATE_BP[item.vat_class]
    net = price * 10_000 / (10_000 + rate)
    cost = max(1, round(net / (1 + float(rng.uniform(*category.margin)))))
    stocked = category.stocked and not item.fixed
    pack = int(rng.choice(category.pack_sizes)) if stocked else 1
    if stocked and price > 20_000 and item.unit == "each":
        pack = int(rng.integers(1, 3))  # a gas cylinder or a bale of nappies comes one or two at a time
    lead = int(rng.integers(category.lead_days[0], category.lead_days[1] + 1)) if stocked else 0
    introduced = -int(rng.integers(60, 2500))
    discontinued = None
    if days >= 60 and not item.fixed:
        if rng.random() < NEW_PRODUCT_SHARE:
            introduced = int(rng.integers(days // 10, days * 9 // 10))
        elif rng.random() < DISCONTINUED_SHARE / (1 - NEW_PRODUCT_SHARE):
            discontinued = int(rng.integers(days * 3 // 10, days * 19 // 20))
    return Product(
        sku=f"{category.prefix}-{number:04d}",
        name=_name(item, brand, size, variant),
        category=index,
        vat_class=item.vat_class,
        unit=item.unit,
        price_cents=price,
        cost_cents=cost,
        pack_size=pack,
        lead_time_days=lead,
        introduced=introduced,
        discontinued=discontinued,
        weight=weight,
        dispersion=float(rng.uniform(2.0, 8.0)),
        mean_kg=item.mean_kg,
        fixed_price=item.fixed,
    )
