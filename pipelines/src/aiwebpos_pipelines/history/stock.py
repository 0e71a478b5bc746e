"""A store's stock: what the node's books say and what is really on the shelf, deliveries ordered with a
reorder-point policy, spoilage, shrinkage and the counts that find it (quantities in milli-units).

The book is the node's on-hand (the sum of its movements); the shelf differs by what left unrecorded
(shoplifting, goods walked out in a void or a cancelled sale) or came back on paper only (a fake refund).
A till sells only what both hold, so the book never goes negative and sales stop on a stock-out: the
demand above it is lost (censored). A count sets the book to the shelf.

Each evening the planner compares the book plus what is on order with the reorder point
    ROP = f × (L + 1) + z σ √(L + 1)
(f: the planner's daily forecast, L: the lead time) and orders whole cases up to ROP + f × cycle; the
delivery arrives L days later in the morning (sometimes a few days late).
"""

from dataclasses import dataclass, field

import numpy as np

from aiwebpos_contracts.events import StockMoved
from aiwebpos_pipelines.history.catalog import Catalog
from aiwebpos_pipelines.history.categories import CATEGORIES
from aiwebpos_pipelines.history.money import format_quantity

LATE_DELIVERY = 0.12
SHRINK_RATE = 0.003  # of a day's expected units walk out unrecorded
COUNT_CYCLE_DAYS = 28  # every stocked SKU is counted about once in this many days


@dataclass
class StockBook:
    catalog: Catalog
    z: np.ndarray  # (K,) the safety factor the store's planner works with
    bias: np.ndarray  # (K,) how far the planner's forecast is off
    book: list[int] = field(init=False)
    shelf: list[int] = field(init=False)
    on_order: np.ndarray = field(init=False)
    pending: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # day → [(sku, milli)]
    count_pointer: int = 0
    stockouts: int = 0  # SKU-days that ended with nothing to sell

    def __post_init__(self) -> None:
        k = len(self.catalog)
        self.book = [0] * k
        self.shelf = [0] * k
        self.on_order = np.zeros(k, dtype=np.int64)
        products = self.catalog.products
        self.stocked = np.array([p.stocked for p in products])
        self.stocked_list = self.stocked.tolist()
        self.lead = np.array([p.lead_time_days for p in products])
        self.case = np.array([p.pack_size * 1000 for p in products], dtype=np.int64)
        self.unit_milli = np.array([p.mean_kg * 1000 if p.weighed else 1000.0 for p in products])
        self.cycle = np.array([2.0 if CATEGORIES[p.category].spoilage else 7.0 for p in products])
        self.units = [p.unit for p in products]

    def available(self, sku: int) -> int:
        if not self.stocked_list[sku]:
            return 1 << 60
        return min(self.book[sku], self.shelf[sku])

    def sell(self, sku: int, milli: int, recorded: bool = True) -> None:
        """Goods leave the shelf; the book follows only when the sale is recorded."""
        if self.stocked_list[sku]:
            self.shelf[sku] -= milli
            if recorded:
                self.book[sku] -= milli

    def sell_as(self, recorded_sku: int, taken_sku: int, milli: int) -> None:
        """A ticket switch: one SKU rung up, another taken off the shelf."""
        if self.stocked_list[recorded_sku]:
            self.book[recorded_sku] -= milli
        if self.stocked_list[taken_sku]:
            self.shelf[taken_sku] -= milli

    def take_back(self, sku: int, milli: int, real: bool) -> None:
        """A return: on the book always; on the shelf only when goods really came back."""
        if self.stocked_list[sku]:
            self.book[sku] += milli
            if real:
                self.shelf[sku] += milli

    def moved(self, sku: int, milli: int, kind: str, reference: str | None, reason: str) -> StockMoved:
        unit = self.units[sku]
        return StockMoved(
            sku=self.catalog.products[sku].sku,
            quantity=format_quantity(milli, unit),
            kind=kind,  # type: ignore[arg-type]
            reference=reference,
            reason=reason,
            on_hand=format_quantity(self.book[sku], unit),
        )

    def receive(self, sku: int, milli: int, reference: str | None, reason: str = "delivery") -> StockMoved:
        self.book[sku] += milli
        self.shelf[sku] += milli
        return self.moved(sku, milli, "receipt", reference, reason)

    def write_off(self, sku: int, milli: int, reason: str, clear: bool = False) -> StockMoved:
        """An adjustment out of both the book and the shelf (expired, damaged; `clear`: all of it sent
        back, the shelf emptied)."""
        self.book[sku] -= milli
        self.shelf[sku] = 0 if clear else max(0, self.shelf[sku] - milli)
        return self.moved(sku, -milli, "adjustment", None, reason)

    def count(self, sku: int, sheet: str, reason: str = "cycle count") -> StockMoved:
        """A count of the shelf: the book becomes what is there (the movement is the difference)."""
        found = self.shelf[sku] - self.book[sku]
        self.book[sku] = self.shelf[sku]
        return self.moved(sku, found, "count", sheet, reason)

    def arrivals(self, day: int) -> list[tuple[int, int]]:
        arriving = self.pending.pop(day, [])
        for sku, milli in arriving:
            self.on_order[sku] -= milli
        return arriving

    def targets(self, daily_units: np.ndarray, dispersion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Reorder points and order-up-to levels (milli-units) for the planner's forecast of units/day."""
        forecast = daily_units * self.bias * self.unit_milli
        cover = self.lead + 1
        sigma = np.sqrt(daily_units + daily_units**2 / dispersion) * self.unit_milli
        rop = forecast * cover + self.z * sigma * np.sqrt(cover)
        return rop, rop + forecast * self.cycle

    def order(
        self,
        rng: np.random.Generator,
        day: int,
        daily_units: np.ndarray,
        dispersion: np.ndarray,
        orderable: np.ndarray,
    ) -> int:
        """The evening's orders; returns how many SKUs were ordered."""
        rop, up_to = self.targets(daily_units, dispersion)
        position = np.array(self.book, dtype=np.int64) + self.on_order
        due = orderable & self.stocked & (position <= rop)
        skus = np.flatnonzero(due)
        if not skus.size:
            return 0
        cases = np.ceil((up_to[skus] - position[skus]) / self.case[skus]).clip(min=1).astype(np.int64)
        quantities = cases * self.case[skus]
        late = np.where(rng.random(skus.size) < LATE_DELIVERY, rng.integers(1, 4, skus.size), 0)
        arrive = day + self.lead[skus] + late
        for sku, milli, when in zip(skus.tolist(), quantities.tolist(), arrive.tolist(), strict=True):
            self.pending.setdefault(when, []).append((sku, milli))
            self.on_order[sku] += milli
        return int(skus.size)

    def opening_level(self, daily_units: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
        """What a store holds of each SKU to start with: its order-up-to level in whole cases."""
        _, up_to = self.targets(daily_units, dispersion)
        return np.asarray(np.ceil(up_to / self.case).clip(min=1).astype(np.int64) * self.case)

    def to_count(self, sold: np.ndarray) -> list[int]:
        """The SKUs counted this evening: the next ones of a round over the stocked catalog."""
        stocked = np.flatnonzero(self.stocked & sold)
        if not stocked.size:
            return []
        per_day = max(1, -(-stocked.size // COUNT_CYCLE_DAYS))
        chosen = [int(stocked[(self.count_pointer + i) % stocked.size]) for i in range(per_day)]
        self.count_pointer = (self.count_pointer + per_day) % stocked.size
        return chosen

    def shrink(self, rng: np.random.Generator, expected_units: np.ndarray) -> None:
        """Goods that leave unrecorded (shoplifting, breakage nobody writes up): the shelf only."""
        lost = rng.poisson(expected_units * SHRINK_RATE) * self.unit_milli.astype(np.int64)
        for sku in np.flatnonzero(lost * self.stocked).tolist():
            self.shelf[sku] = max(0, self.shelf[sku] - int(lost[sku]))

    def note_stockouts(self, sold: np.ndarray) -> None:
        self.stockouts += sum(
            1
            for sku in np.flatnonzero(self.stocked & sold).tolist()
            if min(self.book[sku], self.shelf[sku]) <= 0
        )
