"""Daily demand and stock on hand from lakehouse-shaped line tables."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from aiwebpos_models.demand import DEMAND_COLUMNS, daily_demand, on_hand_now

MONDAY = date(2025, 3, 3)


def sale_lines(*lines: dict[str, Any]) -> pl.DataFrame:
    """Sale lines with defaults: store S1, SKU A at 10.00, one unit, no discount."""
    rows = []
    for line in lines:
        row = {
            "store_id": "S1",
            "sku": "A",
            "date": MONDAY,
            "quantity": "1",
            "unit_price_cents": 1000,
            "discount_cents": 0,
            "price_overridden": False,
            **line,
        }
        row.setdefault(
            "occurred_at", datetime.combine(row["date"], datetime.min.time(), UTC) + timedelta(hours=10)
        )
        row.setdefault(
            "total_cents", round(float(row["quantity"]) * row["unit_price_cents"]) - row["discount_cents"]
        )
        row["quantity"] = Decimal(row["quantity"])
        rows.append(row)
    return pl.DataFrame(
        rows, schema_overrides={"quantity": pl.Decimal(18, 3), "occurred_at": pl.Datetime("us", "UTC")}
    )


def products(**overrides: Any) -> pl.DataFrame:
    row = {
        "sku": "A",
        "name": "Maize meal 2.5 kg",
        "category": "grocery",
        "price_cents": 1000,
        "cost_cents": 700,
        "introduced_on": date(2020, 1, 1),
        "discontinued_on": None,
        **overrides,
    }
    return pl.DataFrame([row], schema_overrides={"introduced_on": pl.Date, "discontinued_on": pl.Date})


def day(frame: pl.DataFrame, when: date) -> dict[str, Any]:
    rows = frame.filter(pl.col("date") == when).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_days_without_sales_are_zero_and_carry_the_shelf_price() -> None:
    lines = sale_lines({"date": MONDAY, "quantity": "2"}, {"date": MONDAY + timedelta(days=3)})
    demand = daily_demand(lines, products())
    assert demand.columns == list(DEMAND_COLUMNS)
    assert demand["date"].to_list() == [MONDAY + timedelta(days=i) for i in range(4)]
    assert demand["quantity"].to_list() == [2.0, 0.0, 0.0, 1.0]
    assert demand["price_cents"].to_list() == [1000] * 4
    assert demand["quantity"].dtype == pl.Float64


def test_realised_price_is_net_of_discount_and_marks_the_promotion() -> None:
    lines = sale_lines(
        {"date": MONDAY, "quantity": "2"},
        {"date": MONDAY + timedelta(days=1), "quantity": "4", "discount_cents": 800},  # 20 % off
        {"date": MONDAY + timedelta(days=2), "quantity": "1", "discount_cents": 30},  # 3 % off: no promo
    )
    demand = daily_demand(lines, products())
    promo_day, small_discount = (
        day(demand, MONDAY + timedelta(days=1)),
        day(demand, MONDAY + timedelta(days=2)),
    )
    assert promo_day["price_cents"] == 800
    assert promo_day["regular_price_cents"] == 1000
    assert promo_day["promo"] == pytest.approx(0.2)
    assert promo_day["on_promo"] is True
    assert small_discount["on_promo"] is False
    assert day(demand, MONDAY)["promo"] == 0.0


def test_an_overridden_price_does_not_move_the_regular_price() -> None:
    lines = sale_lines(
        {"date": MONDAY},
        {"date": MONDAY + timedelta(days=1), "unit_price_cents": 1500, "price_overridden": True},
    )
    demand = daily_demand(lines, products())
    assert day(demand, MONDAY + timedelta(days=1))["regular_price_cents"] == 1000
    assert day(demand, MONDAY + timedelta(days=1))["price_cents"] == 1500


def test_grid_runs_from_introduction_to_discontinuation_within_the_window() -> None:
    lines = sale_lines(
        {"sku": "OLD", "date": MONDAY},  # the store's first day of trade
        {"sku": "NEW", "date": MONDAY + timedelta(days=5)},
        {"sku": "OLD", "date": MONDAY + timedelta(days=9)},
    )
    catalog = pl.concat(
        [
            products(sku="OLD", discontinued_on=MONDAY + timedelta(days=2)),
            products(sku="NEW", introduced_on=MONDAY + timedelta(days=3)),
        ]
    )
    demand = daily_demand(lines, catalog, end=MONDAY + timedelta(days=9))
    new = demand.filter(pl.col("sku") == "NEW")["date"]
    old = demand.filter(pl.col("sku") == "OLD")["date"]
    assert new.min() == MONDAY + timedelta(days=3)  # on sale (at zero) before its first sale
    assert new.max() == MONDAY + timedelta(days=9)
    assert old.min() == MONDAY
    assert old.max() == MONDAY + timedelta(days=9)  # sold off after discontinuation: still demand


def test_returns_are_netted_out_and_never_make_demand_negative() -> None:
    lines = sale_lines({"date": MONDAY, "quantity": "3"}, {"date": MONDAY + timedelta(days=1)})
    returns = pl.DataFrame(
        {
            "store_id": ["S1", "S1"],
            "sku": ["A", "A"],
            "date": [MONDAY, MONDAY + timedelta(days=1)],
            "quantity": [1.0, 5.0],
        }
    )
    demand = daily_demand(lines, products(), returns=returns)
    assert demand["quantity"].to_list() == [2.0, 0.0]
    assert daily_demand(lines, products())["quantity"].to_list() == [3.0, 1.0]


def test_stores_have_their_own_series_and_kg_quantities_stay_fractional() -> None:
    lines = sale_lines({"store_id": "S1", "quantity": "0.750"}, {"store_id": "S2", "quantity": "1.250"})
    demand = daily_demand(lines, products()).sort("store_id")
    assert demand["store_id"].to_list() == ["S1", "S2"]
    assert demand["quantity"].to_list() == [0.75, 1.25]


def movements(*rows: tuple[str, datetime, str, str | None]) -> pl.DataFrame:
    """(kind, occurred_at, signed quantity, on_hand after) for store S1, SKU A."""
    return pl.DataFrame(
        [
            {
                "store_id": "S1",
                "sku": "A",
                "date": at.date(),
                "occurred_at": at,
                "kind": kind,
                "quantity": Decimal(quantity),
                "on_hand": None if on_hand is None else Decimal(on_hand),
            }
            for kind, at, quantity, on_hand in rows
        ],
        schema_overrides={
            "quantity": pl.Decimal(18, 3),
            "on_hand": pl.Decimal(18, 3),
            "occurred_at": pl.Datetime("us", "UTC"),
        },
    )


def at(day_offset: int, hour: int) -> datetime:
    return datetime.combine(MONDAY + timedelta(days=day_offset), datetime.min.time(), UTC) + timedelta(
        hours=hour
    )


NO_RETURNS = pl.DataFrame(
    schema={
        "store_id": pl.String,
        "sku": pl.String,
        "date": pl.Date,
        "occurred_at": pl.Datetime("us", "UTC"),
        "quantity": pl.Float64,
    }
)


def test_on_hand_starts_from_the_last_count_and_follows_what_moved_after_it() -> None:
    moves = movements(
        ("receipt", at(0, 8), "50", None),
        ("count", at(1, 8), "-3", "40"),  # counted 40: everything before is replaced by this
        ("receipt", at(2, 8), "24", None),
        ("adjustment", at(2, 9), "-1", None),
    )
    sales = sale_lines(
        {"occurred_at": at(0, 12), "quantity": "7"}, {"occurred_at": at(2, 12), "quantity": "5"}
    )
    returns = NO_RETURNS.vstack(
        pl.DataFrame(
            {
                "store_id": ["S1"],
                "sku": ["A"],
                "date": [MONDAY],
                "occurred_at": [at(2, 13)],
                "quantity": [2.0],
            },
            schema=NO_RETURNS.schema,
        )
    )
    result = on_hand_now(moves, sales, returns, at(3, 0))
    assert result.to_dicts() == [{"store_id": "S1", "sku": "A", "on_hand": 40 + 24 - 1 - 5 + 2}]


def test_on_hand_ignores_what_happens_after_as_of() -> None:
    moves = movements(("count", at(0, 8), "0", "10"), ("receipt", at(5, 8), "100", None))
    sales = sale_lines(
        {"occurred_at": at(1, 12), "quantity": "2"}, {"occurred_at": at(6, 12), "quantity": "9"}
    )
    assert on_hand_now(moves, sales, NO_RETURNS, at(2, 0))["on_hand"].to_list() == [8.0]
    assert on_hand_now(moves, sales, NO_RETURNS, MONDAY + timedelta(days=1))["on_hand"].to_list() == [8.0]


def test_sale_movements_anchor_the_stock_but_are_not_counted_twice() -> None:
    moves = movements(("receipt", at(0, 8), "10", "10"), ("sale", at(0, 12), "-3", "7"))
    sales = sale_lines(
        {"occurred_at": at(0, 12), "quantity": "3"}, {"occurred_at": at(0, 15), "quantity": "2"}
    )
    assert on_hand_now(moves, sales, NO_RETURNS, at(1, 0))["on_hand"].to_list() == [5.0]


def test_without_any_stated_on_hand_stock_is_the_sum_of_movements() -> None:
    moves = movements(("receipt", at(0, 8), "12", None), ("transfer_out", at(0, 9), "-2", None))
    sales = sale_lines({"occurred_at": at(0, 12), "quantity": "4"})
    assert on_hand_now(moves, sales, NO_RETURNS, at(1, 0))["on_hand"].to_list() == [6.0]


def test_a_price_rise_is_regular_at_once_and_a_cut_reads_as_a_promotion_for_four_weeks() -> None:
    rise = sale_lines(
        {"date": MONDAY, "unit_price_cents": 1000},
        {"date": MONDAY + timedelta(days=1), "unit_price_cents": 1200},
    )
    assert daily_demand(rise, products())["regular_price_cents"].to_list() == [1000, 1200]
    cut = sale_lines(
        *(
            {"date": MONDAY + timedelta(days=i), "unit_price_cents": 1000 if i == 0 else 800}
            for i in range(30)
        )
    )
    demand = daily_demand(cut, products())
    assert day(demand, MONDAY + timedelta(days=27))["on_promo"] is True
    assert day(demand, MONDAY + timedelta(days=28))["regular_price_cents"] == 800


def test_the_window_bounds_the_grid() -> None:
    lines = sale_lines(*({"date": MONDAY + timedelta(days=i)} for i in range(10)))
    demand = daily_demand(lines, products(), start=MONDAY + timedelta(days=2), end=MONDAY + timedelta(days=5))
    assert demand["date"].to_list() == [MONDAY + timedelta(days=i) for i in range(2, 6)]
