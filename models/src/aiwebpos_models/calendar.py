"""The Lesotho retail calendar (pure): public holidays, paydays, trading hours and the rhythm of demand.

A day's demand multiplier is the product of its weekday (Saturday highest, Sunday short), its holiday
or the eve of one (Christmas Eve is the year's busiest day), and the month-end payday (the last working
day of the month and the two or three days after it are the busiest; the week before it is tight).
Yearly seasonality differs by category and is `season_factor`'s job: a December festive peak, a January
slump, winter (May–August) paraffin, maize meal, candles and blankets, back-to-school stationery.
"""

import math
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache

# Monday … Sunday. Friday and Saturday are shopping days; Sunday trades only a short morning.
WEEKDAY_FACTORS = (0.88, 0.82, 0.85, 0.92, 1.18, 1.5, 0.6)

WEEKDAY_HOURS = (time(8), time(19))
SATURDAY_HOURS = (time(8), time(17))
SUNDAY_HOURS = (time(9), time(14))
HOLIDAY_HOURS = (time(9), time(14))
SHORT_HOLIDAY_HOURS = (time(9), time(13))  # Christmas Day and New Year's Day

# Demand of a public holiday (replaces the weekday's): most shoppers stay home; Boxing Day shops.
_HOLIDAY_FACTORS = {"Christmas Day": 0.4, "New Year's Day": 0.45, "Good Friday": 0.55, "Boxing Day": 0.85}
_OTHER_HOLIDAY_FACTOR = 0.7
_SHORT_HOLIDAYS = frozenset({"Christmas Day", "New Year's Day"})

# Payday: the last working day of the month, then the days after it; the week before it is tight.
PAYDAY_FACTORS = (1.45, 1.35, 1.2, 1.08)  # payday itself, 1, 2 and 3 days after
PRE_PAYDAY_FACTOR = 0.9  # the 7 days before payday

_EVES = {(12, 23): 1.3, (12, 24): 1.55, (12, 31): 1.35}


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def _holidays(year: int) -> tuple[tuple[date, str], ...]:
    easter = easter_sunday(year)
    named = [
        (date(year, 1, 1), "New Year's Day"),
        (date(year, 3, 11), "Moshoeshoe's Day"),
        (date(year, 4, 4), "Heroes' Day"),
        (easter - timedelta(days=2), "Good Friday"),
        (easter + timedelta(days=1), "Easter Monday"),
        (date(year, 5, 1), "Workers' Day"),
        (date(year, 5, 25), "Africa Day"),
        (easter + timedelta(days=39), "Ascension Day"),
        (date(year, 7, 17), "King Letsie III's Birthday"),
        (date(year, 10, 4), "Independence Day"),
        (date(year, 12, 25), "Christmas Day"),
        (date(year, 12, 26), "Boxing Day"),
    ]
    merged: dict[date, str] = {}
    for day, name in named:  # two holidays on one date (Ascension on 1 or 25 May) make one day off
        merged[day] = f"{merged[day]}; {name}" if day in merged else name
    return tuple(sorted(merged.items()))


def public_holidays(year: int) -> dict[date, str]:
    """Lesotho's public holidays of `year`, date → name (Easter and Ascension computed, not tabled)."""
    return dict(_holidays(year))


def holiday_name(day: date) -> str | None:
    return public_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


@lru_cache(maxsize=512)
def last_working_day(year: int, month: int) -> date:
    """Payday: the last Monday–Friday of the month that is not a public holiday."""
    day = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def payday_factor(day: date) -> float:
    """Demand on `day` relative to mid-month, from the month-end payday around it."""
    this_month = last_working_day(day.year, day.month)
    previous = last_working_day(day.year - (day.month == 1), (day.month - 2) % 12 + 1)
    since = (day - this_month).days if day >= this_month else (day - previous).days
    if since < len(PAYDAY_FACTORS):
        return PAYDAY_FACTORS[since]
    if 0 < (this_month - day).days <= 7:
        return PRE_PAYDAY_FACTOR
    return 1.0


def eve_factor(day: date) -> float:
    """The days before Christmas, New Year and Easter are busier than their weekday says."""
    eve = _EVES.get((day.month, day.day))
    if eve is not None:
        return eve
    if day == easter_sunday(day.year) - timedelta(days=3):  # Thursday before Good Friday
        return 1.25
    return 1.0


@dataclass(frozen=True)
class TradingDay:
    day: date
    opens: time  # Africa/Maseru local time
    closes: time
    holiday: str | None
    factor: float  # the day's demand multiplier (weekday or holiday × eve × payday); season excluded

    @property
    def hours(self) -> float:
        return (self.closes.hour * 60 + self.closes.minute - self.opens.hour * 60 - self.opens.minute) / 60


@lru_cache(maxsize=4096)
def trading_day(day: date) -> TradingDay:
    """Opening hours and demand multiplier of a store on `day`."""
    holiday = holiday_name(day)
    if holiday is not None:
        first = holiday.split("; ")[0]
        hours = SHORT_HOLIDAY_HOURS if first in _SHORT_HOLIDAYS else HOLIDAY_HOURS
        base = _HOLIDAY_FACTORS.get(first, _OTHER_HOLIDAY_FACTOR)
    else:
        weekday = day.weekday()
        hours = SATURDAY_HOURS if weekday == 5 else SUNDAY_HOURS if weekday == 6 else WEEKDAY_HOURS
        base = WEEKDAY_FACTORS[weekday]
    return TradingDay(day, hours[0], hours[1], holiday, base * eve_factor(day) * payday_factor(day))


_YEAR = 365.25


def _bump(day: date, centre_doy: float, width_days: float) -> float:
    """A smooth yearly bump (Gaussian in circular day-of-year distance), 1 at its centre."""
    distance = abs(day.timetuple().tm_yday - centre_doy) % _YEAR
    distance = min(distance, _YEAR - distance)
    return math.exp(-0.5 * (distance / width_days) ** 2)


def festive_bump(day: date) -> float:
    return _bump(day, 357, 8)  # centred on 23 December


def january_bump(day: date) -> float:
    return _bump(day, 14, 8)


def winter_bump(day: date) -> float:
    return _bump(day, 182, 35)  # 1 July; above one half from late May to early August


def school_bump(day: date) -> float:
    return _bump(day, 20, 10)  # schools reopen in the second half of January


@lru_cache(maxsize=32768)
def season_factor(day: date, winter: float = 0.0, festive: float = 0.0, school: float = 0.0) -> float:
    """Yearly seasonality of a category with these amplitudes (0: only the chain-wide December lift and
    January slump; `winter` 0.9 nearly doubles paraffin in July)."""
    chain = (1 + 0.25 * festive_bump(day)) * (1 - 0.15 * january_bump(day))
    return (
        chain
        * (1 + winter * winter_bump(day))
        * (1 + festive * festive_bump(day))
        * (1 + school * school_bump(day))
    )
