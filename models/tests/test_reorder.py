"""Order quantities: the policy's arithmetic (tables), its properties (hypothesis), and the frame."""

import math
from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_models.reorder import order_quantity, plan_order, service_z, suggest_orders


@pytest.mark.parametrize(
    ("demand", "sd", "lead", "review", "level", "on_hand", "on_order", "pack", "expected"),
    [
        (100, 0, 7, 7, 0.95, 0, 0, 1, 100),  # no uncertainty: order exactly the demand
        (100, 0, 7, 7, 0.95, 30, 20, 1, 50),  # stock and open orders count
        (100, 0, 7, 7, 0.95, 30, 20, 12, 60),  # 50 short → five packs of 12
        (100, 0, 7, 7, 0.95, 120, 0, 12, 0),  # stock covers it
        (100, 0, 7, 7, 0.5, 0, 0, 24, 120),
        # z(0.95) = 1.6449 × σ 2 × √16 = 13.16 safety stock → 113.16 → 114
        (100, 2, 14, 2, 0.95, 0, 0, 1, 114),
        (100, 2, 14, 2, 0.5, 0, 0, 1, 100),  # a 50 % service level carries no safety stock
        (0, 0, 7, 7, 0.99, 0, 0, 6, 0),  # nothing sells, nothing to order
    ],
)
def test_order_quantity_table(
    demand: float,
    sd: float,
    lead: int,
    review: int,
    level: float,
    on_hand: float,
    on_order: float,
    pack: int,
    expected: int,
) -> None:
    assert order_quantity(demand, sd, lead, review, level, on_hand, on_order, pack) == expected


def test_order_is_rounded_up_to_whole_packs() -> None:
    assert order_quantity(25, 0, 3, 4, 0.9, 0, 0, 24) == 48  # 25 short is two packs, not one
    assert order_quantity(24, 0, 3, 4, 0.9, 0, 0, 24) == 24  # exactly one pack


def test_safety_stock_grows_with_the_square_root_of_the_protection_interval() -> None:
    short = plan_order(0, 3, 2, 2, 0.95, 0, 0, 1).safety_stock
    long = plan_order(0, 3, 8, 8, 0.95, 0, 0, 1).safety_stock
    assert long == pytest.approx(2 * short)
    assert short == pytest.approx(1.6448536 * 3 * 2, rel=1e-6)


@pytest.mark.parametrize("level", [0.3, 1.0, 1.2])
def test_a_service_level_outside_half_to_one_is_refused(level: float) -> None:
    with pytest.raises(ValueError, match="service level"):
        service_z(level)


def test_a_pack_below_one_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="pack size"):
        order_quantity(10, 1, 7, 7, 0.95, 0, 0, 0)


demand = st.floats(min_value=0, max_value=5000)
sd = st.floats(min_value=0, max_value=100)
days = st.integers(min_value=0, max_value=60)
level = st.floats(min_value=0.5, max_value=0.999)
stock = st.floats(min_value=0, max_value=5000)
pack = st.integers(min_value=1, max_value=48)


@given(demand, sd, days, days, level, stock, stock, pack)
def test_order_is_never_negative_and_a_multiple_of_the_pack(
    d: float, s: float, lead: int, review: int, lvl: float, on_hand: float, on_order: float, p: int
) -> None:
    quantity = order_quantity(d, s, lead, review, lvl, on_hand, on_order, p)
    assert quantity >= 0
    assert quantity % p == 0


@given(demand, demand, sd, days, days, level, stock, pack)
def test_more_forecast_demand_never_orders_less(
    d1: float, d2: float, s: float, lead: int, review: int, lvl: float, on_hand: float, p: int
) -> None:
    low, high = sorted((d1, d2))
    assert order_quantity(low, s, lead, review, lvl, on_hand, 0, p) <= order_quantity(
        high, s, lead, review, lvl, on_hand, 0, p
    )


@given(demand, sd, days, days, level, level, stock, pack)
def test_a_higher_service_level_never_orders_less(
    d: float, s: float, lead: int, review: int, l1: float, l2: float, on_hand: float, p: int
) -> None:
    low, high = sorted((l1, l2))
    assert order_quantity(d, s, lead, review, low, on_hand, 0, p) <= order_quantity(
        d, s, lead, review, high, on_hand, 0, p
    )


@given(demand, sd, days, days, level, stock, stock, pack)
def test_the_order_brings_stock_to_the_reorder_point_with_less_than_a_pack_to_spare(
    d: float, s: float, lead: int, review: int, lvl: float, on_hand: float, on_order: float, p: int
) -> None:
    plan = plan_order(d, s, lead, review, lvl, on_hand, on_order, p)
    position = on_hand + on_order + plan.quantity
    if plan.quantity > 0:
        assert position >= plan.reorder_point - 1e-6
        assert position - p < plan.reorder_point + 1e-6
    else:
        assert on_hand + on_order >= plan.reorder_point - p * 1e-9 - 1e-9


def test_suggest_orders_uses_lead_time_plus_review_days_of_forecast() -> None:
    start = date(2025, 6, 2)
    forecast = pl.DataFrame(
        {
            "store_id": ["S1"] * 28 + ["S2"] * 28,
            "sku": ["A"] * 56,
            "date": [start + timedelta(days=i) for i in range(28)] * 2,
            "forecast": [4.0] * 28 + [0.0] * 28,
        }
    )
    catalog = pl.DataFrame({"sku": ["A"], "lead_time_days": [3], "pack_size": [6]})
    on_hand = pl.DataFrame({"store_id": ["S1", "S2"], "sku": ["A", "A"], "on_hand": [10.0, 5.0]})
    on_order = pl.DataFrame({"store_id": ["S1"], "sku": ["A"], "on_order": [6.0]})
    sd = pl.DataFrame({"store_id": ["S1"], "sku": ["A"], "residual_sd": [1.0]})
    result = suggest_orders(forecast, on_hand, on_order, catalog, 0.95, 7, residual_sd=sd)
    s1, s2 = result.sort("store_id").to_dicts()
    assert s1["demand_over_lead_time"] == pytest.approx(40.0)  # (3 + 7) days × 4
    assert s1["safety_stock"] == pytest.approx(1.6448536 * math.sqrt(10), rel=1e-6)
    assert s1["suggested_qty"] == 30  # 40 + 5.2 − 16 = 29.2 → five packs of 6
    assert s1["cover_days"] == pytest.approx(2.5)
    assert s2["suggested_qty"] == 0 and s2["cover_days"] is None
    assert result.columns == [
        "store_id",
        "sku",
        "on_hand",
        "on_order",
        "demand_over_lead_time",
        "safety_stock",
        "reorder_point",
        "suggested_qty",
        "cover_days",
    ]


def test_suggest_orders_extrapolates_a_short_forecast_and_defaults_to_poisson_noise() -> None:
    start = date(2025, 6, 2)
    forecast = pl.DataFrame(
        {
            "store_id": ["S1"] * 7,
            "sku": ["A"] * 7,
            "date": [start + timedelta(days=i) for i in range(7)],
            "forecast": [9.0] * 7,
        }
    )
    catalog = pl.DataFrame({"sku": ["A"], "lead_time_days": [14], "pack_size": [1]})
    on_hand = pl.DataFrame({"store_id": ["S1"], "sku": ["A"], "on_hand": [0.0]})
    row = suggest_orders(forecast, on_hand, None, catalog, 0.95, 7).row(0, named=True)
    assert row["demand_over_lead_time"] == pytest.approx(21 * 9.0)
    assert row["safety_stock"] == pytest.approx(1.6448536 * 3.0 * math.sqrt(21), rel=1e-6)
