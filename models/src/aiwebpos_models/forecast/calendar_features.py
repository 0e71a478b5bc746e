"""Calendar features of a target day, from the Lesotho retail calendar (all known in advance)."""

from collections.abc import Iterable
from datetime import date

import polars as pl

from aiwebpos_models import calendar

CALENDAR_FEATURES = [
    "weekday",
    "day_of_month",
    "month",
    "days_to_payday",
    "days_since_payday",
    "public_holiday",
    "eve",
    "calendar_factor",
    "festive_bump",
    "january_bump",
    "winter_bump",
    "school_bump",
]


def _paydays_around(day: date) -> tuple[date, date]:
    """The last payday on or before `day` and the next one on or after it."""
    this_month = calendar.last_working_day(day.year, day.month)
    if day >= this_month:
        following = calendar.last_working_day(day.year + day.month // 12, day.month % 12 + 1)
        return this_month, following if day > this_month else this_month
    previous = calendar.last_working_day(day.year - (day.month == 1), (day.month - 2) % 12 + 1)
    return previous, this_month


def calendar_row(day: date) -> dict[str, float | int | date]:
    last_payday, next_payday = _paydays_around(day)
    trading = calendar.trading_day(day)
    return {
        "date": day,
        "weekday": day.weekday(),
        "day_of_month": day.day,
        "month": day.month,
        "days_to_payday": (next_payday - day).days,
        "days_since_payday": (day - last_payday).days,
        "public_holiday": float(trading.holiday is not None),
        "eve": float(calendar.eve_factor(day) > 1.0),
        # The calendar's own demand multiplier (weekday × holiday × eve × payday): a strong prior that
        # lets the trees spend their splits on what the calendar does not know.
        "calendar_factor": trading.factor,
        "festive_bump": calendar.festive_bump(day),
        "january_bump": calendar.january_bump(day),
        "winter_bump": calendar.winter_bump(day),
        "school_bump": calendar.school_bump(day),
    }


def calendar_frame(days: Iterable[date]) -> pl.DataFrame:
    """One row per distinct day with CALENDAR_FEATURES (computed once per day, joined onto rows)."""
    rows = [calendar_row(day) for day in sorted(set(days))]
    schema: dict[str, pl.DataType] = {"date": pl.Date()}
    schema |= {name: pl.Float64() for name in CALENDAR_FEATURES}
    schema |= {name: pl.Int64() for name in ("weekday", "day_of_month", "month")}
    schema |= {name: pl.Int64() for name in ("days_to_payday", "days_since_payday")}
    return pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
