"""The calendar shows in the sales: Saturdays and the days after the month-end payday sell more."""

from datetime import date
from pathlib import Path

import pytest
from history_support import rows

from aiwebpos_models.calendar import holiday_name, payday_factor
from aiwebpos_pipelines.history import generate_history


@pytest.fixture(scope="module")
def tiny_catalog_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store, ten weeks, a dozen SKUs: enough days for the rhythm, few lines per day."""
    lakehouse = tmp_path_factory.mktemp("rhythm") / "lakehouse"
    generate_history(lakehouse, stores=1, days=70, skus=12, seed=11, end=date(2025, 11, 9), workers=1)
    return lakehouse


def _units_by_day(lakehouse: Path) -> dict[date, float]:
    # the store's local day: Maseru is UTC+2 all year, and it trades between 08:00 and 21:00
    found = rows(lakehouse, "SELECT date, count(*) AS n FROM sale_lines GROUP BY date")
    return {row["date"]: float(row["n"]) for row in found}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def test_saturdays_sell_more_than_midweek_days(tiny_catalog_history: Path) -> None:
    units = _units_by_day(tiny_catalog_history)
    ordinary = [d for d in units if holiday_name(d) is None and payday_factor(d) == 1.0]
    saturdays = _mean([units[d] for d in ordinary if d.weekday() == 5])
    midweek = _mean([units[d] for d in ordinary if d.weekday() in (1, 2)])
    assert saturdays > 1.4 * midweek, (saturdays, midweek)


def test_the_days_after_the_month_end_payday_sell_more_than_mid_month(tiny_catalog_history: Path) -> None:
    units = _units_by_day(tiny_catalog_history)
    weekdays = [d for d in units if d.weekday() < 5 and holiday_name(d) is None]
    payday = [units[d] for d in weekdays if payday_factor(d) >= 1.2]
    mid_month = [units[d] for d in weekdays if payday_factor(d) == 1.0]
    assert len(payday) >= 4
    assert _mean(payday) > 1.1 * _mean(mid_month), (_mean(payday), _mean(mid_month))
