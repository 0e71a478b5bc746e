"""Price and markdown recommendations: shelf prices, the margin optimum, and proposals only."""

from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_models.pricing.price_math import clearance_markdown, margin_optimal_price, shelf_price
from aiwebpos_models.pricing.recommend import (
    RECOMMENDATION_SCHEMA,
    markdown_recommendations,
    price_recommendations,
    recommend,
)

AS_OF = date(2025, 6, 2)


@pytest.mark.parametrize(
    ("target", "lower", "upper", "expected"),
    [
        (1234, 1100, 1400, 1249),
        (1220, 1100, 1400, 1199),
        (1224, 1100, 1400, 1199),  # a tie (25 cents each way) goes to the lower price
        (1300, 1250, 1290, None),  # no .49 or .99 in the range
        (2000, 1000, 1500, 1499),  # the nearest one inside the bounds
        (40, 10, 60, 49),
    ],
)
def test_shelf_price_table(target: float, lower: float, upper: float, expected: int | None) -> None:
    assert shelf_price(target, lower, upper) == expected


@given(st.floats(100, 100_000), st.floats(100, 100_000), st.floats(0, 5000))
def test_shelf_prices_end_in_49_or_99_and_stay_in_bounds(target: float, lower: float, width: float) -> None:
    price = shelf_price(target, lower, lower + width)
    if price is None:
        assert width < 50
    else:
        assert price % 100 in (49, 99)
        assert lower <= price <= lower + width


@pytest.mark.parametrize(
    ("cost", "elasticity", "vat", "expected"),
    [
        (1000, -2.0, 0.0, 2000.0),  # e/(1+e) = 2: the classic doubling
        (1000, -3.0, 0.15, 1725.0),  # ×1.5, then VAT on top
        (1000, -1.0, 0.0, None),  # unit elastic: no finite optimum
        (1000, -0.5, 0.0, None),
    ],
)
def test_margin_optimal_price_table(
    cost: float, elasticity: float, vat: float, expected: float | None
) -> None:
    result = margin_optimal_price(cost, elasticity, vat)
    assert result == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    ("ratio", "elasticity", "expected"),
    [(2.0, -1.0, 0.5), (4.0, -2.0, 0.5), (1.0, -2.0, None), (3.0, -0.1, None)],
)
def test_clearance_markdown_table(ratio: float, elasticity: float, expected: float | None) -> None:
    result = clearance_markdown(ratio, elasticity)
    assert result == (pytest.approx(expected) if expected is not None else None)


def products(**columns: list[Any]) -> pl.DataFrame:
    base: dict[str, list[Any]] = {
        "sku": ["A"],
        "name": ["Paraffin 1 l"],
        "category": ["fuel"],
        "vat_class": ["standard"],
        "price_cents": [2999],
        "cost_cents": [1800],
        "discontinued_on": [None],
    }
    return pl.DataFrame({**base, **columns}, schema_overrides={"discontinued_on": pl.Date})


def forecast(daily: float, skus: tuple[str, ...] = ("A",), stores: tuple[str, ...] = ("S1",)) -> pl.DataFrame:
    rows = [
        {"store_id": s, "sku": k, "date": AS_OF + timedelta(days=i), "forecast": daily}
        for s in stores
        for k in skus
        for i in range(28)
    ]
    return pl.DataFrame(rows)


def elasticity(value: float, sku: str = "A") -> pl.DataFrame:
    return pl.DataFrame({"sku": [sku], "elasticity": [value]})


def stock(units: float) -> pl.DataFrame:
    return pl.DataFrame({"store_id": ["S1"], "sku": ["A"], "on_hand": [units]})


def test_overstock_gets_a_markdown_sized_by_elasticity_to_clear_in_the_window() -> None:
    # 2 a day for 28 days is 56; 120 on hand needs 2.14 times the demand: with e = −2, 31.7 % off.
    cheap = products(cost_cents=[1200])
    result = markdown_recommendations(forecast(2.0), stock(120), cheap, elasticity(-2.0), AS_OF)
    row = result.row(0, named=True)
    assert row["kind"] == "markdown" and row["store_id"] == "S1" and row["status"] == "proposed"
    assert row["recommended_price_cents"] == 2049  # 2999 × 0.683 = 2049.0, already a shelf price
    assert row["change_pct"] == pytest.approx(-31.68, abs=0.01)
    assert row["expected_units_change_pct"] == pytest.approx(114.2, abs=0.1)
    assert "overstock" in row["reason"]


def test_stock_the_forecast_will_sell_gets_no_markdown() -> None:
    assert markdown_recommendations(forecast(2.0), stock(60), products(), elasticity(-2.0), AS_OF).is_empty()


def test_a_markdown_never_goes_below_cost_unless_the_sku_is_leaving() -> None:
    # Hopelessly overstocked and inelastic: the markdown would go to 50 %, but cost (18.00 + VAT = 20.70) stops it.
    staying = markdown_recommendations(forecast(0.5), stock(500), products(), elasticity(-0.5), AS_OF)
    assert staying["recommended_price_cents"].item() >= 1800 * 1.15
    leaving = markdown_recommendations(
        forecast(0.5),
        stock(500),
        products(discontinued_on=[AS_OF + timedelta(days=10)]),
        elasticity(-0.5),
        AS_OF,
    )
    assert leaving["recommended_price_cents"].item() == 1549  # the deepest shelf price within 50 % off
    assert "leaves the range" in leaving["reason"].item()


def test_a_sku_leaving_soon_is_marked_down_even_at_normal_cover() -> None:
    leaving = products(discontinued_on=[AS_OF + timedelta(days=20)])
    assert not markdown_recommendations(forecast(2.0), stock(70), leaving, elasticity(-2.0), AS_OF).is_empty()
    assert markdown_recommendations(forecast(2.0), stock(70), products(), elasticity(-2.0), AS_OF).is_empty()


def test_price_moves_toward_the_margin_optimum_within_ten_percent() -> None:
    # Cost 18.00, e = −3, VAT 15 %: optimum 31.05, above today's 29.99 by 3.5 %.
    up = price_recommendations(forecast(5.0), products(), elasticity(-3.0), AS_OF).row(0, named=True)
    assert up["store_id"] is None and up["kind"] == "price"
    assert up["recommended_price_cents"] == 3099
    assert up["expected_margin_change_cents"] > 0
    # e = −1.5 puts the optimum at 3 × cost (62.10): the move stops inside +10 % (32.99 is 10.003 % up).
    capped = price_recommendations(forecast(5.0), products(), elasticity(-1.5), AS_OF).row(0, named=True)
    assert capped["recommended_price_cents"] == 3249
    # e = −8: the optimum (23.66) is more than 10 % down: the move stops at 27.49 (26.99 is 10.003 % down).
    down = price_recommendations(forecast(5.0), products(), elasticity(-8.0), AS_OF).row(0, named=True)
    assert down["recommended_price_cents"] == 2749
    assert down["expected_units_change_pct"] > 0


def test_a_price_already_at_its_optimum_is_left_alone() -> None:
    # Cost 18.00 at e = −3 and no VAT: optimum 27.00, today's 26.99.
    at_optimum = products(price_cents=[2699], vat_class=["zero"])
    assert price_recommendations(forecast(5.0), at_optimum, elasticity(-3.0), AS_OF).is_empty()


def test_recommendations_are_proposals_with_stable_ids() -> None:
    catalog = products(
        sku=["A", "B"],
        name=["a", "b"],
        category=["c", "c"],
        vat_class=["standard"] * 2,
        price_cents=[2999, 999],
        cost_cents=[1800, 500],
        discontinued_on=[None, None],
    )
    elasticities = pl.concat([elasticity(-2.0, "A"), elasticity(-3.0, "B")])
    first = recommend(forecast(2.0, ("A", "B")), stock(200), catalog, elasticities, AS_OF)
    again = recommend(forecast(2.0, ("A", "B")), stock(200), catalog, elasticities, AS_OF)
    assert first.schema == pl.Schema(RECOMMENDATION_SCHEMA)
    assert set(first["kind"]) == {"markdown", "price"}
    assert (first["status"] == "proposed").all()
    assert first["recommendation_id"].n_unique() == first.height
    assert first["recommendation_id"].to_list() == again["recommendation_id"].to_list()
    tomorrow = recommend(
        forecast(2.0, ("A", "B")), stock(200), catalog, elasticities, AS_OF + timedelta(days=1)
    )
    assert set(tomorrow["recommendation_id"]).isdisjoint(first["recommendation_id"])
