"""A store-day's tills: which terminals open when, the cashiers' shifts on them, and serving customers in
turn (a terminal serves one sale at a time, so customers queue at busy hours).

T1 and T2 open with the store (T2 an hour later on quiet days); T3 and T4 open for the busy part of
busy days. A terminal open seven hours or more has two shifts, handed over around the middle of its day:
the first cashier closes after serving whoever is at the till, the next opens a few minutes later.
Every shift of a day has its own cashier.
"""

from dataclasses import dataclass, field

import numpy as np

from aiwebpos_models.calendar import TradingDay
from aiwebpos_pipelines.history.dice import Dice
from aiwebpos_pipelines.history.moments import HOUR, MINUTE, SECOND
from aiwebpos_pipelines.history.state import Shift
from aiwebpos_pipelines.history.stores import StoreSpec

TWO_SHIFTS_MS = 7 * HOUR
FLOATS_CENTS = (30_000, 50_000)


@dataclass
class Till:
    terminal: str
    window_open: int  # UTC ms
    window_close: int
    handover: int | None  # when the second shift takes over, if there are two
    shifts: list[Shift] = field(default_factory=list)
    current: int = 0
    free_at: int = 0

    def takes(self, arrival: int) -> bool:
        return self.window_open <= arrival < self.window_close - 5 * MINUTE

    def _hand_over(self, dice: Dice) -> None:
        first, second = self.shifts
        assert self.handover is not None
        first.closes_ms = max(self.handover, self.free_at) + dice.integers(60, 180) * SECOND
        second.opens_ms = first.closes_ms + dice.integers(60, 240) * SECOND
        self.free_at = second.opens_ms + dice.integers(10, 40) * SECOND
        self.current = 1

    def serve(self, dice: Dice, arrival: int, duration: int) -> tuple[int, int, Shift]:
        """Serve a customer who reached this till at `arrival`: (start, done, shift)."""
        start = max(arrival, self.free_at)
        if self.handover is not None and self.current == 0 and start >= self.handover:
            self._hand_over(dice)
            start = max(start, self.free_at)
        done = start + duration
        self.free_at = done + dice.integers(3, 15) * SECOND
        return start, done, self.shifts[self.current]

    def finish(self, dice: Dice) -> None:
        """Close the shifts once the last customer is served."""
        if self.handover is not None and self.current == 0:
            self._hand_over(dice)
        last = self.shifts[-1]
        last.closes_ms = max(self.window_close, self.free_at) + dice.integers(60, 300) * SECOND


def open_tills(
    rng: np.random.Generator, store: StoreSpec, trading: TradingDay, opens: int, closes: int
) -> list[Till]:
    """The day's tills and shifts (cashiers assigned, times provisional until `Till.finish`)."""
    factor = trading.factor
    short_day = closes - opens < TWO_SHIFTS_MS
    tills = []
    for number, terminal in enumerate(store.terminals):
        start = opens - 15 * MINUTE
        if number == 1 and factor < 0.9 and not short_day:
            start = opens + HOUR
        elif number == 2:
            if factor < 1.05 or short_day:
                continue
            start = opens + 2 * HOUR
        elif number >= 3:
            if factor < 1.3 or short_day:
                continue
            start = opens + 3 * HOUR
        end = closes + 10 * MINUTE
        handover = None
        if end - start >= TWO_SHIFTS_MS:
            half = (start + (end - start) // 2) // (30 * MINUTE) * (30 * MINUTE)
            handover = half
        tills.append(Till(terminal, start, end, handover, free_at=start))
    cashiers = [store.cashiers[i].username for i in rng.permutation(len(store.cashiers))]
    for till in tills:
        bounds = [(till.window_open, till.handover or till.window_close)]
        if till.handover is not None:
            bounds.append((till.handover, till.window_close))
        for opens_ms, closes_ms in bounds:
            cashier = cashiers.pop() if cashiers else store.manager
            till.shifts.append(
                Shift(
                    shift_id="",
                    terminal=till.terminal,
                    cashier=cashier,
                    opens_ms=opens_ms,
                    closes_ms=closes_ms,
                    float_cents=int(rng.choice(FLOATS_CENTS)) if till.terminal != "T1" else 50_000,
                )
            )
        till.free_at = till.shifts[0].opens_ms + int(rng.integers(20, 90)) * SECOND
    return tills


def choose_till(tills: list[Till], arrival: int) -> Till:
    """The open till that can serve soonest (customers pick the shortest queue)."""
    open_ = [till for till in tills if till.takes(arrival)] or tills[:1]
    return min(open_, key=lambda till: max(arrival, till.free_at))
