"""One store's trading day, in the order the store lives it:

1. the back room before opening (`backroom.morning`): deliveries, new products, products sent back, and
   on the store's first day in the history its opening count;
2. the day's demand becomes customers with baskets, arriving over the trading hours and served in turn
   at the open tills, inside the cashiers' shifts; honest cashiers void, discount, cancel, refund and
   open the drawer now and then; dishonest ones, on their active shifts, do what `fraud.py` describes;
3. everything at the tills happens in time order (so stock runs out as it would: later customers find
   the shelf empty), each shift closing with its Z report;
4. the back room after closing (`backroom.evening`): shrinkage, expired stock, counts, the orders.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import partial

import numpy as np

from aiwebpos_contracts.events import ShiftClosed, ShiftOpened, TimeclockPunched
from aiwebpos_models.calendar import payday_factor, season_factor, trading_day
from aiwebpos_pipelines.history.backroom import evening, morning
from aiwebpos_pipelines.history.categories import CATEGORIES
from aiwebpos_pipelines.history.demand import (
    arrival_times,
    basket_sizes,
    draw_units,
    purchase_lines,
)
from aiwebpos_pipelines.history.fraud import (
    CANCEL_REASONS,
    NO_SALE_REASONS,
    RETURN_REASONS,
    VOID_REASONS,
    FraudLabel,
)
from aiwebpos_pipelines.history.moments import MINUTE, SECOND, clock_ms, iso, midnight_ms
from aiwebpos_pipelines.history.shifts import choose_till, open_tills
from aiwebpos_pipelines.history.state import LineSpec, Shift, StoreRun, StoreState, Void
from aiwebpos_pipelines.history.stores import TENDERS, Customer
from aiwebpos_pipelines.history.till import quantity_milli
from aiwebpos_pipelines.history.transactions import (
    account_payment,
    cancel_sale,
    complete_sale,
    no_sale,
    refund,
)
from aiwebpos_pipelines.history.zreport import ShiftTally

_TENDER_SECONDS = {"cash": 25, "cash_zar": 30, "card": 35, "mobile_money": 45, "account": 30}
LEGIT_VOID = 0.035  # chance per sale, times the cashier's care
LEGIT_DISCOUNT = 0.01
LEGIT_OVERRIDE = 0.002
LEGIT_CANCEL = 0.003
LEGIT_NO_SALES_PER_SHIFT = 0.6
RETURNS_PER_SALE = 0.004


@dataclass
class Visit:
    """A customer at a till: what they bring, how they pay, when they are served."""

    arrival: int
    lines: list[LineSpec]
    tender: str
    customer: Customer | None = None
    voids: list[Void] = field(default_factory=list)
    start: int = 0
    done: int = 0
    shift: Shift | None = None
    pay_for_voids: bool = False
    cancel: str | None = None
    cancel_paid: bool = False
    walked: bool = False  # goods left although the sale was cancelled
    pattern: str | None = None  # the fraud it is, if any


@dataclass
class DayPlan:
    """What one store-day is made of before it is played out in time order."""

    run: StoreRun
    index: int
    day: date
    opens: int
    closes: int
    sold: np.ndarray  # SKUs on sale today
    popularity: np.ndarray  # today's expected units, for picking items
    visits: list[Visit]
    shifts: list[Shift]
    actions: list[tuple[int, int, Callable[[int], None]]] = field(default_factory=list)

    @property
    def state(self) -> StoreState:
        return self.run.state

    @property
    def rng(self) -> np.random.Generator:
        return self.run.state.rng

    def at(self, ms: int, action: Callable[[int], None], rank: int = 1) -> None:
        """Do `action(ms)` at `ms` (rank 0 before and 2 after the others of the same millisecond)."""
        self.actions.append((ms, rank * 10_000_000 + len(self.actions), action))

    def time_in(self, shift: Shift, late: bool = False, room: int = 0) -> int:
        """A moment inside `shift` (in its last hour when `late`), `room` ms before it closes."""
        low, high = shift.opens_ms + 2 * MINUTE, shift.closes_ms - 2 * MINUTE - room
        if late:
            low = max(low, high - 60 * MINUTE)
        return int(self.rng.integers(low, max(low + 1, high)))

    def pick_skus(self, count: int, each_only: bool = False) -> list[int]:
        weights = self.popularity * self.sold
        if each_only:
            weights = weights * ~self.run.model.weighed
        total = weights.sum()
        if total <= 0:
            return []
        chosen: list[int] = self.rng.choice(weights.size, size=count, p=weights / total).tolist()
        return chosen

    def label(self, kind: str, ref: str, shift: Shift, pattern: str) -> None:
        self.run.labels.append(
            FraudLabel(self.state.spec.store_id, self.day, kind, ref, shift.shift_id, shift.cashier, pattern)
        )


def trade_day(run: StoreRun, index: int, day: date, fraud: Callable[[DayPlan], None]) -> None:
    """Play out one store-day; its events are appended to `run.state.events`."""
    state, model, rng = run.state, run.model, run.state.rng
    state.start_day(index)
    trading = trading_day(day)
    midnight = midnight_ms(day)
    opens, closes = midnight + clock_ms(trading.opens), midnight + clock_ms(trading.closes)
    sold = model.sold(index)
    season = np.array([season_factor(day, c.winter, c.festive, c.school) for c in CATEGORIES])[model.category]
    price_factor = state.plan.demand_factor(index, model.base_price, model.elasticity)
    base_units = run.scale * model.weight * state.affinity
    morning(run, index, day, opens - 90 * MINUTE, sold, base_units * season)

    store_age = (day - state.spec.opened_on).days
    lam = model.expected(
        day, index, price_factor, state.affinity, run.scale, store_age, float(rng.lognormal(0, 0.07))
    )
    skus, quantities = purchase_lines(rng, draw_units(rng, lam, model.dispersion), model)
    plan = DayPlan(
        run, index, day, opens, closes, sold, lam, _visits(run, day, skus, quantities, opens, closes), []
    )
    tills = open_tills(rng, state.spec, trading, opens, closes)
    dawdle = rng.exponential(15, len(plan.visits)).astype(int).tolist()
    for visit, extra in zip(plan.visits, dawdle, strict=True):
        till = choose_till(tills, visit.arrival)
        seconds = 20 + 8 * len(visit.lines) + _TENDER_SECONDS[visit.tender] + extra
        visit.start, visit.done, visit.shift = till.serve(state.dice, visit.arrival, seconds * SECOND)
    for till in tills:
        till.finish(state.dice)
    plan.shifts = [shift for till in tills for shift in till.shifts]
    for shift in plan.shifts:
        fraudster = run.fraudsters.get(shift.cashier)
        if fraudster is not None:
            shift.frauds = fraudster.plan(rng, index)
    _honest_habits(plan)
    fraud(plan)  # may move shift times (off-hours sales): before the shifts get their ids
    for shift in plan.shifts:
        shift.shift_id = state.ids.at(shift.opens_ms)
    _schedule(plan)
    first_label = len(run.labels)
    for at, _, action in sorted(plan.actions, key=lambda a: (a[0], a[1])):
        action(at)
    _shift_labels(plan, first_label)
    planner_units = base_units * season * price_factor**0.7
    evening(run, index, day, max(s.closes_ms for s in plan.shifts) + 10 * MINUTE, sold, lam, planner_units)


def _visits(
    run: StoreRun, day: date, skus: np.ndarray, quantities: np.ndarray, opens: int, closes: int
) -> list[Visit]:
    rng, spec = run.state.rng, run.state.spec
    sizes = basket_sizes(rng, int(skus.size), day)
    midnight = midnight_ms(day)
    arrivals = (arrival_times(rng, len(sizes), opens - midnight, closes - midnight, day) + midnight).tolist()
    tenders = rng.choice(len(TENDERS), size=len(sizes), p=spec.tender_mix).tolist()
    sku_list, milli_list = skus.tolist(), quantities.tolist()
    visits, at = [], 0
    for size, arrival, tender in zip(sizes, arrivals, tenders, strict=True):
        lines = [LineSpec(sku_list[j], milli_list[j]) for j in range(at, at + size)]
        at += size
        customer = None
        if TENDERS[tender] == "account" and spec.customers:
            customer = spec.customers[int(rng.integers(len(spec.customers)))]
        visits.append(Visit(arrival, lines, TENDERS[tender], customer))
    return visits


def _honest_habits(plan: DayPlan) -> None:
    """Voids, discounts, price overrides and cancellations of ordinary sales."""
    state, run, dice = plan.state, plan.run, plan.state.dice
    weighed = run.model.weighed
    draws = plan.rng.random((len(plan.visits), 4))
    for visit, (void, discount, override, cancel) in zip(plan.visits, draws.tolist(), strict=True):
        assert visit.shift is not None
        care = run.care.get(visit.shift.cashier, 1.0)
        if void < LEGIT_VOID * care:
            for _ in range(2 if dice.random() < 0.1 else 1):
                if dice.random() < 0.6:
                    line = dice.pick(visit.lines)
                    milli = line.milli if weighed[line.sku] else 1000
                    visit.voids.append(Void(LineSpec(line.sku, milli), "scanned twice"))
                else:
                    extra = plan.pick_skus(1, each_only=True)
                    if extra:
                        visit.voids.append(Void(LineSpec(extra[0], 1000), dice.pick(VOID_REASONS[1:])))
        if discount < LEGIT_DISCOUNT * care:
            line = dice.pick(visit.lines)
            line.percent = dice.integers(15, 31) if dice.random() < 0.15 else dice.integers(5, 11)
        if override < LEGIT_OVERRIDE * care:
            line = dice.pick(visit.lines)
            if not state.catalog.products[line.sku].fixed_price:
                line.price = max(99, round(state.prices[line.sku] * (0.85 + 0.1 * dice.random())))
        if cancel < LEGIT_CANCEL:
            visit.cancel = dice.pick(CANCEL_REASONS)


def _schedule(plan: DayPlan) -> None:
    """Every till event of the day as an action at its time: shifts, sales, refunds, no-sales, payments."""
    state, rng, run = plan.state, plan.rng, plan.run
    for shift in plan.shifts:
        plan.at(shift.opens_ms, partial(_open_shift, state, shift), rank=0)
        plan.at(shift.closes_ms, partial(_close_shift, state, shift), rank=2)
        for _ in range(int(rng.poisson(LEGIT_NO_SALES_PER_SHIFT * run.care.get(shift.cashier, 1.0)))):
            reason = NO_SALE_REASONS[int(rng.integers(len(NO_SALE_REASONS)))]
            plan.at(plan.time_in(shift), partial(_honest_no_sale, state, shift, reason))
    for visit in plan.visits:
        plan.at(visit.done, partial(serve, plan, visit))
    for _ in range(int(rng.poisson(RETURNS_PER_SALE * len(plan.visits)))):
        shift = plan.shifts[int(rng.integers(len(plan.shifts)))]
        plan.at(plan.time_in(shift), partial(_honest_return, plan, shift))
    if payday_factor(plan.day) >= 1.2:
        for customer in state.spec.customers:
            if customer.balance_cents > 0 and rng.random() < 0.5:
                shift = plan.shifts[int(rng.integers(len(plan.shifts)))]
                plan.at(plan.time_in(shift), partial(_account_payment, state, shift, customer))


def _honest_no_sale(state: StoreState, shift: Shift, reason: str, at: int) -> None:
    no_sale(state, shift, at, reason)


def _account_payment(state: StoreState, shift: Shift, customer: Customer, at: int) -> None:
    account_payment(state, shift, at, customer)


def _open_shift(state: StoreState, shift: Shift, at_ms: int) -> None:
    at = iso(shift.opens_ms)
    shift.tally = ShiftTally(shift.shift_id, shift.terminal, shift.cashier, at, shift.float_cents)
    punched = shift.opens_ms - int(state.rng.integers(2, 10)) * MINUTE
    state.emit(
        punched, TimeclockPunched(username=shift.cashier, direction="in", punched_at=iso(punched)), None
    )
    state.emit(
        shift.opens_ms,
        ShiftOpened(
            shift_id=shift.shift_id,
            terminal_id=shift.terminal,
            cashier=shift.cashier,
            opened_at=at,
            opening_float_cents=shift.float_cents,
        ),
        shift.terminal,
    )


def counted_cash(rng: np.random.Generator, expected: int) -> int:
    """What the cashier counts in the drawer: mostly exact, sometimes a few maloti out, now and then more."""
    draw = rng.random()
    sign = 1 if rng.random() < 0.4 else -1
    if draw > 0.95:
        return max(0, expected + sign * int(rng.integers(50, 500)) * 10)
    if draw > 0.8:
        return max(0, expected + sign * int(rng.integers(1, 50)) * 10)
    return expected


def _close_shift(state: StoreState, shift: Shift, at_ms: int) -> None:
    assert shift.tally is not None
    counted = counted_cash(state.rng, shift.tally.expected_cash_cents)
    state.emit(
        shift.closes_ms,
        ShiftClosed(report=shift.tally.z_report(iso(shift.closes_ms), counted)),
        shift.terminal,
    )
    punched = shift.closes_ms + int(state.rng.integers(1, 5)) * MINUTE
    state.emit(
        punched, TimeclockPunched(username=shift.cashier, direction="out", punched_at=iso(punched)), None
    )
    state.counts["shifts"] += 1


def serve(plan: DayPlan, visit: Visit, at_ms: int) -> None:
    """Complete (or cancel) a visit's sale, and label it if it is a fraud."""
    state, shift = plan.state, visit.shift
    assert shift is not None
    if visit.cancel is not None:
        sale_id = cancel_sale(
            state, shift, visit.start, visit.done, visit.lines, visit.cancel, visit.cancel_paid, visit.walked
        )
        if sale_id is not None and visit.pattern:
            plan.label("cancel", sale_id, shift, visit.pattern)
        return
    made = complete_sale(
        state,
        shift,
        visit.start,
        visit.done,
        visit.lines,
        visit.tender,
        visit.voids,
        visit.customer,
        visit.pay_for_voids,
    )
    if made is not None and visit.pattern:
        plan.label("sale", made.receipt_no, shift, visit.pattern)


def _honest_return(plan: DayPlan, shift: Shift, at: int) -> None:
    """A customer brings back something bought in the last two weeks."""
    state, rng = plan.state, plan.rng
    earlier = [sales for sales in list(state.recent)[:-1] if sales]
    if not earlier:
        return
    sales = earlier[-1 - min(len(earlier) - 1, int(rng.geometric(0.3)) - 1)]
    sold = sales[int(rng.integers(len(sales)))]
    if sold.method == "account":
        return
    line = sold.receipt.lines[int(rng.integers(len(sold.receipt.lines)))]
    if line.total_cents <= 0:
        return
    whole = line.unit == "kg" or rng.random() < 0.2
    milli = quantity_milli(line) if whole else 1000
    method = "cash" if sold.method in ("cash", "cash_zar") else sold.method
    reason = RETURN_REASONS[int(rng.integers(len(RETURN_REASONS)))]
    goods_back = reason in ("wrong item", "customer changed mind")
    refund(state, shift, at, sold, [(line, milli)], method, reason, goods_back)  # type: ignore[arg-type]


def _shift_labels(plan: DayPlan, first: int) -> None:
    """A `shift` label for each shift with a fraudulent transaction labelled today."""
    patterns: dict[str, set[str]] = {}
    by_id = {shift.shift_id: shift for shift in plan.shifts}
    for label in plan.run.labels[first:]:
        patterns.setdefault(label.shift_id, set()).add(label.pattern)
    for shift_id, found in patterns.items():
        plan.label("shift", shift_id, by_id[shift_id], ",".join(sorted(found)))
