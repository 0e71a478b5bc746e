"""One store's running state across the history, and the plain records the transactions work with.

`StoreState` holds what the node keeps between transactions: receipt counters per terminal, the ids its
tables give lines and payments, today's prices, the stock, the recent receipts (for returns), and the
day's events waiting to be numbered and written.
"""

from collections import Counter, deque
from dataclasses import dataclass, field

import msgspec
import numpy as np

from aiwebpos_contracts import event_type_of
from aiwebpos_contracts.events import VoidedLine
from aiwebpos_contracts.receipts import PaymentRecord, Receipt, ReceiptLine, Tender
from aiwebpos_pipelines.history.catalog import Catalog
from aiwebpos_pipelines.history.demand import DemandModel
from aiwebpos_pipelines.history.dice import Dice
from aiwebpos_pipelines.history.fraud import FraudLabel, Fraudster
from aiwebpos_pipelines.history.moments import Ids
from aiwebpos_pipelines.history.money import format_quantity, line_amount
from aiwebpos_pipelines.history.prices import PricePlan
from aiwebpos_pipelines.history.stock import StockBook
from aiwebpos_pipelines.history.stores import StoreSpec
from aiwebpos_pipelines.history.till import receipt_line
from aiwebpos_pipelines.history.zreport import ShiftTally

RECENT_DAYS = 14

# (ms, ordinal, type, terminal_id, payload, event_id)
Event = tuple[int, int, str, str | None, msgspec.Struct, str]


@dataclass(slots=True)
class LineSpec:
    sku: int
    milli: int
    percent: int = 0  # discount
    price: int = 0  # a price override when > 0
    taken: int = -1  # a ticket switch: the SKU that really left the shelf


@dataclass(slots=True)
class Void:
    line: LineSpec
    reason: str
    walked: bool = False  # the goods left the store anyway (void theft)


@dataclass
class Shift:
    shift_id: str
    terminal: str
    cashier: str
    opens_ms: int
    closes_ms: int
    float_cents: int
    tally: ShiftTally | None = None
    frauds: dict[str, int] = field(default_factory=dict)  # pattern → how many, on a dishonest shift


@dataclass(frozen=True)
class Sold:
    receipt: Receipt
    done_ms: int
    method: str


@dataclass
class StoreState:
    spec: StoreSpec
    catalog: Catalog
    plan: PricePlan
    rng: np.random.Generator
    stock: StockBook
    affinity: np.ndarray
    ids: Ids = field(init=False)
    dice: Dice = field(init=False)
    events: list[Event] = field(default_factory=list)
    receipt_numbers: dict[str, int] = field(default_factory=dict)
    line_id: int = 0
    payment_id: int = 0
    delivery_notes: int = 0
    day_index: int = 0
    prices: list[int] = field(default_factory=list)  # today's shelf prices
    recent: deque[list[Sold]] = field(default_factory=lambda: deque(maxlen=RECENT_DAYS))
    returned: dict[tuple[str, int], int] = field(default_factory=dict)  # (receipt_no, line_id) → milli
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.ids = Ids(self.rng)
        self.dice = Dice(self.rng)
        products = self.catalog.products
        self._sku = [p.sku for p in products]
        self._name = [p.name for p in products]
        self._unit = [p.unit for p in products]
        self._vat = [p.vat_class for p in products]
        self.index = {p.sku: i for i, p in enumerate(products)}

    def start_day(self, day_index: int) -> None:
        self.day_index = day_index
        self.prices = self.plan.price[day_index].tolist()
        self.recent.append([])

    def emit(self, ms: int, payload: msgspec.Struct, terminal: str | None) -> str:
        event_id = self.ids.at(ms)
        self.events.append((ms, len(self.events), event_type_of(payload), terminal, payload, event_id))
        return event_id

    def next_receipt_no(self, terminal: str) -> str:
        number = self.receipt_numbers.get(terminal, 0) + 1
        self.receipt_numbers[terminal] = number
        return f"{self.spec.store_id}-{terminal}-{number:06d}"

    def line(self, spec: LineSpec) -> ReceiptLine:
        self.line_id += 1
        sku = spec.sku
        return receipt_line(
            self.line_id,
            self._sku[sku],
            self._name[sku],
            self._unit[sku],
            self._vat[sku],
            spec.milli,
            spec.price or self.prices[sku],
            spec.percent,
            price_overridden=spec.price > 0,
        )

    def voided_line(self, void: Void) -> VoidedLine:
        self.line_id += 1
        sku = void.line.sku
        return VoidedLine(
            line_id=self.line_id,
            sku=self._sku[sku],
            name=self._name[sku],
            quantity=format_quantity(void.line.milli, self._unit[sku]),
            total_cents=line_amount(self.prices[sku], void.line.milli),
            reason=void.reason,
        )

    def payment(
        self, method: Tender, cents: int, currency: str = "LSL", customer: str | None = None
    ) -> PaymentRecord:
        self.payment_id += 1
        reference = None
        if method == "card":
            reference = f"AUTH-{self.dice.integers(100_000, 1_000_000)}"
        elif method == "mobile_money":
            prefix = "MP" if self.dice.random() < 0.7 else "EC"
            reference = f"{prefix}{self.dice.integers(10**9, 10**10)}"
        return PaymentRecord(
            payment_id=self.payment_id,
            method=method,
            amount_cents=cents,
            currency=currency,  # type: ignore[arg-type]
            reference=reference,
            customer_id=customer,
        )

    def available(self, lines: list[LineSpec]) -> list[LineSpec]:
        """The lines that the book and the shelf can give, in order; plain lines of one SKU sold by the
        each become one line (the cashier keys the quantity)."""
        stock, stocked = self.stock, self.stock.stocked_list
        book_used: dict[int, int] = {}
        shelf_used: dict[int, int] = {}
        plain: dict[int, LineSpec] = {}
        kept: list[LineSpec] = []
        for spec in lines:
            rung = spec.sku
            taken = rung if spec.taken < 0 else spec.taken
            if stocked[rung] and stock.book[rung] - book_used.get(rung, 0) < spec.milli:
                continue
            if stocked[taken] and stock.shelf[taken] - shelf_used.get(taken, 0) < spec.milli:
                continue
            book_used[rung] = book_used.get(rung, 0) + spec.milli
            shelf_used[taken] = shelf_used.get(taken, 0) + spec.milli
            is_plain = spec.taken < 0 and not spec.percent and not spec.price and self._unit[rung] == "each"
            if is_plain and rung in plain:
                plain[rung].milli += spec.milli
                continue
            kept.append(spec)
            if is_plain:
                plain[rung] = spec
        return kept

    def take(self, lines: list[LineSpec]) -> None:
        for spec in lines:
            if spec.taken >= 0:
                self.stock.sell_as(spec.sku, spec.taken, spec.milli)
            else:
                self.stock.sell(spec.sku, spec.milli)


@dataclass
class StoreRun:
    """One store across the history."""

    state: StoreState
    model: DemandModel
    scale: float
    fraudsters: dict[str, Fraudster]
    care: dict[str, float]
    labels: list[FraudLabel] = field(default_factory=list)
    started: bool = False
