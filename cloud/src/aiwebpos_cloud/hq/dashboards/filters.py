"""What a dashboard is asked for (`Filters`) and the SQL parameters it becomes.

Dates are local dates in Africa/Maseru, the stores' time zone: "sales of 23 November" means from
midnight to midnight in Lesotho, whatever UTC dates the instants fall on.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

ZONE_NAME = "Africa/Maseru"
MASERU = ZoneInfo(ZONE_NAME)
DAY = timedelta(days=1)


def local_today() -> date:
    return datetime.now(MASERU).date()


@dataclass(frozen=True)
class Filters:
    """The period (local dates, both included), the stores (None: all of them; an empty list: none) and
    the category (None: all). Dashboards built from receipts as a whole (baskets, tenders, VAT,
    cashiers, fraud alerts) ignore the category: a receipt has no single category."""

    date_from: date
    date_to: date
    store_ids: Sequence[str] | None = None
    category: str | None = None

    def __post_init__(self) -> None:
        if self.date_from > self.date_to:
            raise ValueError(
                f"the period starts on {self.date_from} after it ends on {self.date_to}: swap the two dates"
            )
        if isinstance(self.store_ids, str):
            raise ValueError(f"store_ids must be a list of store ids, not the text {self.store_ids!r}")

    def with_period(self, date_from: date, date_to: date) -> "Filters":
        return Filters(date_from, date_to, self.store_ids, self.category)


def parameters(filters: Filters, rolled_through: date | None) -> dict[str, Any]:
    """The parameters every dashboard query may use: the period, the stores and category, and where the
    period splits between the rollups (up to `rolled_to`) and the live tail (from `day_from`)."""
    if rolled_through is None:  # no rollups: the whole period is computed live
        rolled_to, day_from = filters.date_from - DAY, filters.date_from
    else:
        rolled_to = min(filters.date_to, rolled_through)
        day_from = max(filters.date_from, rolled_through + DAY)
    return {
        "date_from": filters.date_from,
        "date_to": filters.date_to,
        "rolled_to": rolled_to,
        "day_from": day_from,
        "day_to": filters.date_to,
        "stores": None if filters.store_ids is None else list(filters.store_ids),
        "category": filters.category,
    }
