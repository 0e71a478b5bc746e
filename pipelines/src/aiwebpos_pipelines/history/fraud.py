"""Cashier fraud and its ground truth (seeded): who is dishonest, on which shifts, doing what.

A few cashiers of the chain are dishonest, each with one or two patterns, active on some of their shifts
between the day they start and the day they stop (or are caught):

- sweethearting: friends' baskets of many items rung at big discounts, overridden prices, or as a cheaper
  item (a ticket switch): low-value receipts of many lines;
- refund_fraud: cash refunds with no goods back, against someone's recent receipt, often late in the shift;
- void_theft: lines voided after the customer paid cash for them, the difference pocketed;
- no_sale_theft: many drawer openings without a sale (unrung sales' cash taken out);
- cancel_after_cash: a paid sale cancelled, the cash pocketed, the goods gone;
- off_hours: sales rung while the store is closed, the shift kept open for them.

Honest cashiers void, discount, refund, cancel and open the drawer too (some of them often), so the
signal is in the rates and the combinations, not in any single event. Labels name each fraudulent
transaction (`sale`, `return`, `cancel`, `drawer`) and each shift with at least one (`shift`).
"""

from dataclasses import dataclass
from datetime import date

import numpy as np

from aiwebpos_pipelines.history.stores import StoreSpec

PATTERNS = ("sweethearting", "refund_fraud", "void_theft", "no_sale_theft", "cancel_after_cash", "off_hours")
SHARE_OF_CASHIERS = 0.1

# pattern → (minimum, Poisson mean of the extra) transactions on an active shift
_PER_SHIFT = {
    "sweethearting": (1, 1.2),
    "refund_fraud": (1, 0.8),
    "void_theft": (2, 1.5),
    "no_sale_theft": (3, 3.0),
    "cancel_after_cash": (1, 1.0),
    "off_hours": (1, 1.2),
}


@dataclass(frozen=True)
class Fraudster:
    store_id: str
    cashier: str
    patterns: tuple[str, ...]
    activity: float  # the chance that a shift of theirs is a dishonest one
    first_day: int
    last_day: int

    def describe(self) -> str:
        return f"{self.store_id}/{self.cashier}: {', '.join(self.patterns)}"

    def plan(self, rng: np.random.Generator, day_index: int) -> dict[str, int]:
        """What they do on a shift of `day_index` (pattern → how many transactions); empty when honest."""
        if not self.first_day <= day_index <= self.last_day or rng.random() >= self.activity:
            return {}
        return {p: _PER_SHIFT[p][0] + int(rng.poisson(_PER_SHIFT[p][1])) for p in self.patterns}


def choose_fraudsters(rng: np.random.Generator, stores: list[StoreSpec], days: int) -> list[Fraudster]:
    staff = [(store.store_id, cashier.username) for store in stores for cashier in store.cashiers]
    count = min(len(staff), max(1, round(SHARE_OF_CASHIERS * len(staff))))
    chosen = [staff[i] for i in sorted(rng.choice(len(staff), count, replace=False).tolist())]
    fraudsters = []
    for store_id, cashier in chosen:
        patterns = rng.choice(len(PATTERNS), int(rng.integers(1, 3)), replace=False).tolist()
        first = int(rng.uniform(0, 0.35) * days)
        last = days - 1
        if rng.random() < 0.3:  # caught, or left
            last = first + int(rng.uniform(0.4, 0.8) * (days - first))
        fraudsters.append(
            Fraudster(
                store_id=store_id,
                cashier=cashier,
                patterns=tuple(PATTERNS[i] for i in sorted(patterns)),
                activity=float(rng.uniform(0.3, 0.6)),
                first_day=first,
                last_day=last,
            )
        )
    return fraudsters


@dataclass(frozen=True)
class FraudLabel:
    store_id: str
    date: date
    kind: str  # sale | return | cancel | drawer | shift
    ref: str
    shift_id: str
    cashier: str
    pattern: str

    @property
    def label_id(self) -> str:
        return f"generator:{self.kind}:{self.store_id}:{self.ref}"


SWEETHEART_REASONS = ("damaged packaging", "loyal customer", "price match", "staff discount")
CANCEL_REASONS = ("customer changed mind", "customer short of money", "card declined, no cash")
NO_SALE_REASONS = (
    "change for the float",
    "change for another till",
    "customer change for taxi fare",
    "checking a note",
    "cash pickup by manager",
)
VOID_REASONS = ("scanned twice", "customer changed mind", "wrong item", "price query")
RETURN_REASONS = ("damaged", "expired", "wrong item", "not working", "customer changed mind")
