"""The fraud patterns played into a store-day's plan (see `fraud.py` for what each is): extra sales,
refunds and drawer openings at times inside the dishonest shift, or ordinary sales of it turned into
thefts. Each fraudulent transaction is labelled when it happens."""

from collections.abc import Callable
from functools import partial

from aiwebpos_pipelines.history.day import DayPlan, Visit
from aiwebpos_pipelines.history.fraud import (
    CANCEL_REASONS,
    NO_SALE_REASONS,
    RETURN_REASONS,
    VOID_REASONS,
)
from aiwebpos_pipelines.history.moments import MINUTE, SECOND
from aiwebpos_pipelines.history.state import LineSpec, Shift, Void
from aiwebpos_pipelines.history.till import quantity_milli
from aiwebpos_pipelines.history.transactions import RETURN_APPROVAL_LIMIT_CENTS, no_sale, refund


def commit_frauds(plan: DayPlan) -> None:
    """Play every dishonest shift's patterns into the plan."""
    for shift in plan.shifts:
        for pattern, count in shift.frauds.items():
            ACTS[pattern](plan, shift, count)


def _cheap_skus(plan: DayPlan) -> list[int]:
    """The five cheapest items sold by the each today: what a ticket switch rings up instead."""
    model, state = plan.run.model, plan.state
    candidates = [sku for sku in range(model.skus) if plan.sold[sku] and not model.weighed[sku]]
    return sorted(candidates, key=lambda sku: (state.prices[sku], sku))[:5]


def _friend_lines(plan: DayPlan, count: int, deep: bool) -> list[LineSpec]:
    """A friend's basket: items rung at big discounts, overridden prices, or as a cheaper item."""
    rng, state, model = plan.rng, plan.state, plan.run.model
    cheap = _cheap_skus(plan)
    lines = []
    for sku in plan.pick_skus(count):
        line = LineSpec(sku, 1000)
        draw = rng.random()
        if not deep:
            if draw < 0.4:
                line.percent = int(rng.integers(10, 41))
        elif draw < 0.25:
            line.percent = int(rng.integers(30, 71))
        elif draw < 0.45 and not state.catalog.products[sku].fixed_price:
            line.price = max(99, round(state.prices[sku] * float(rng.uniform(0.2, 0.5))))
        elif draw < 0.65 and cheap and not model.weighed[sku] and sku not in cheap:
            line.taken, line.sku = sku, cheap[int(rng.integers(len(cheap)))]
        lines.append(line)
    return lines


def sweethearting(plan: DayPlan, shift: Shift, count: int) -> None:
    rng = plan.rng
    for _ in range(count):
        start = plan.time_in(shift, room=6 * MINUTE)
        done = start + int(rng.integers(150, 300)) * SECOND
        tender = "cash" if rng.random() < 0.8 else "mobile_money"
        lines = _friend_lines(plan, int(rng.integers(6, 19)), deep=True)
        plan.visits.append(
            Visit(start, lines, tender, start=start, done=done, shift=shift, pattern="sweethearting")
        )


def _cash_visits(plan: DayPlan, shift: Shift, lines: int) -> list[Visit]:
    return [
        v
        for v in plan.visits
        if v.shift is shift
        and v.tender in ("cash", "cash_zar")
        and v.cancel is None
        and not v.voids
        and v.pattern is None
        and len(v.lines) >= lines
    ]


def void_theft(plan: DayPlan, shift: Shift, count: int) -> None:
    """Lines voided after the customer paid cash for the whole basket and left with it."""
    rng, prices = plan.rng, plan.state.prices
    candidates = _cash_visits(plan, shift, 2)
    for i in sorted(rng.choice(len(candidates), min(count, len(candidates)), replace=False).tolist()):
        visit = candidates[i]
        visit.lines.sort(key=lambda line: prices[line.sku] * line.milli, reverse=True)
        voided = int(rng.integers(1, min(3, len(visit.lines) - 1) + 1))
        for line in visit.lines[:voided]:
            visit.voids.append(Void(line, VOID_REASONS[int(rng.integers(len(VOID_REASONS)))], walked=True))
        del visit.lines[:voided]
        visit.pay_for_voids, visit.pattern = True, "void_theft"


def cancel_after_cash(plan: DayPlan, shift: Shift, count: int) -> None:
    """A sale paid in cash, then cancelled: the cash pocketed, the goods gone with the customer."""
    rng = plan.rng
    candidates = _cash_visits(plan, shift, 1)
    for i in sorted(rng.choice(len(candidates), min(count, len(candidates)), replace=False).tolist()):
        visit = candidates[i]
        visit.cancel = CANCEL_REASONS[int(rng.integers(2))]
        visit.cancel_paid, visit.walked, visit.pattern = True, True, "cancel_after_cash"


def refund_fraud(plan: DayPlan, shift: Shift, count: int) -> None:
    for _ in range(count):
        at = plan.time_in(shift, late=plan.rng.random() < 0.5)
        plan.at(at, partial(_fake_refund, plan, shift))


def _fake_refund(plan: DayPlan, shift: Shift, at: int) -> None:
    """A cash refund against a recent cash receipt (someone else's), with no goods coming back."""
    rng, state = plan.rng, plan.state
    pool = [s for s in state.recent[-1][-40:] if s.method in ("cash", "cash_zar")]
    if not pool and len(state.recent) > 1:
        pool = [s for s in state.recent[-2][-80:] if s.method in ("cash", "cash_zar")]
    if not pool:
        return
    sold = pool[int(rng.integers(len(pool)))]
    lines = [line for line in sold.receipt.lines if line.unit == "each" and line.total_cents > 0]
    picks, total = [], 0
    for i in rng.permutation(len(lines))[: int(rng.integers(1, 3))].tolist():
        if total + lines[i].total_cents <= RETURN_APPROVAL_LIMIT_CENTS:
            picks.append((lines[i], quantity_milli(lines[i])))
            total += lines[i].total_cents
    if not picks:
        return
    reason = RETURN_REASONS[int(rng.integers(len(RETURN_REASONS)))]
    note = refund(state, shift, at, sold, picks, "cash", reason, goods_back=False)
    if note is not None:
        plan.label("return", note, shift, "refund_fraud")


def no_sale_theft(plan: DayPlan, shift: Shift, count: int) -> None:
    for _ in range(count):
        plan.at(plan.time_in(shift), partial(_drawer_theft, plan, shift))


def _drawer_theft(plan: DayPlan, shift: Shift, at: int) -> None:
    """The drawer opened for the cash of a sale never rung up: the items leave unrecorded."""
    rng, state = plan.rng, plan.state
    reason = NO_SALE_REASONS[int(rng.integers(len(NO_SALE_REASONS)))]
    event_id = no_sale(state, shift, at, reason)
    plan.label("drawer", event_id, shift, "no_sale_theft")
    for sku in plan.pick_skus(int(rng.integers(1, 4)), each_only=True):
        if state.stock.stocked_list[sku] and state.stock.shelf[sku] >= 1000:
            state.stock.sell(sku, 1000, recorded=False)


def off_hours(plan: DayPlan, shift: Shift, count: int) -> None:
    """Sales rung while the store is closed: the shift opened early or kept open late for them."""
    rng = plan.rng
    if shift.closes_ms >= plan.closes:
        shift.closes_ms = max(shift.closes_ms, plan.closes + int(rng.integers(40, 110)) * MINUTE)
        low, high = plan.closes + 10 * MINUTE, shift.closes_ms - 10 * MINUTE
    elif shift.opens_ms <= plan.opens:
        shift.opens_ms = min(shift.opens_ms, plan.opens - int(rng.integers(45, 70)) * MINUTE)
        low, high = shift.opens_ms + 5 * MINUTE, plan.opens - 10 * MINUTE
    else:
        return  # a shift that neither opens nor closes the store has no off-hours
    for _ in range(count):
        start = int(rng.integers(low, max(low + 1, high)))
        done = start + int(rng.integers(120, 240)) * SECOND
        lines = _friend_lines(plan, int(rng.integers(3, 11)), deep=False)
        plan.visits.append(
            Visit(start, lines, "cash", start=start, done=done, shift=shift, pattern="off_hours")
        )


ACTS: dict[str, Callable[[DayPlan, Shift, int], None]] = {
    "sweethearting": sweethearting,
    "refund_fraud": refund_fraud,
    "void_theft": void_theft,
    "no_sale_theft": no_sale_theft,
    "cancel_after_cash": cancel_after_cash,
    "off_hours": off_hours,
}
