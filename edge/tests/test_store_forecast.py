"""The store's demand forecast and reorder suggestions, made at the node from its own sales with the
released forecast model: the manager sees the coming days and what to order, most urgent first."""

from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from catalog_codes import MAIZE_10KG, SUGAR
from edge_support import START, Shop
from litestar.testing import AsyncTestClient

from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.node import Node
from aiwebpos_edge.scoring.bundles import FORECAST
from aiwebpos_edge.scoring.registry import LoadedModel
from aiwebpos_models.forecast.model import DemandForecaster

DAYS = 35
SUGAR_A_DAY = {5: 4}  # Saturdays sell four bags of sugar, other days two
MAIZE_A_DAY = 1


def _sugar(day: date) -> int:
    return SUGAR_A_DAY.get(day.weekday(), 2)


@pytest.fixture(scope="module")
def forecaster() -> DemandForecaster:
    """Trained on a chain where sugar and maize sell as this store's do (as the cloud's would be)."""
    first = START.date() - timedelta(days=120)
    rows = []
    for store in ("MSU-01", "TY-02"):
        for i in range(120 + DAYS):
            day = first + timedelta(days=i)
            rows.append((store, "SUGAR-25", "Groceries", day, float(_sugar(day)), 5499))
            rows.append((store, "MM-IWISA-10", "Staples", day, float(MAIZE_A_DAY), 12999))
    demand = pl.DataFrame(
        rows,
        schema=["store_id", "sku", "category", "date", "quantity", "price_cents"],
        orient="row",
    ).with_columns(
        pl.col("price_cents").alias("regular_price_cents"),
        pl.lit(0.0).alias("promo"),
        pl.lit(False).alias("on_promo"),
    )
    return DemandForecaster("hgb", {"max_iter": 60}, origins=6).fit(demand, horizon=14)


def _use(client: AsyncTestClient[Any], model: DemandForecaster) -> None:
    node: Node = client.app.state.node
    node.models.swap(LoadedModel(FORECAST, "3", "cd" * 32, "2026-11-23T08:00:00.000Z", model))


async def _five_weeks_of_sales(shop: Shop, clock: SettableClock) -> date:
    """Sell like the chain for DAYS days; return the day after (today, for the forecast)."""
    shift = await shop.open_shift()
    for i in range(DAYS):
        day = START.date() + timedelta(days=i)
        for _ in range(_sugar(day)):
            await shop.sell(shift, SUGAR)
        await shop.sell(shift, MAIZE_10KG)
        clock.advance(timedelta(days=1))
        shop.forget_logins()  # a day later every session has long expired
    return START.date() + timedelta(days=DAYS)


async def test_the_manager_sees_the_coming_days_and_what_to_reorder(
    shop: Shop, client: AsyncTestClient[Any], clock: SettableClock, forecaster: DemandForecaster
) -> None:
    no_model = await shop.get("/api/v1/inventory/forecast", role="manager")
    assert no_model.status_code == 409 and "no forecast model" in no_model.json()["detail"]
    _use(client, forecaster)
    today = await _five_weeks_of_sales(shop, clock)
    # Maize is well stocked; sugar is down to 3 bags.
    for sku, counted in (("MM-IWISA-10", "200"), ("SUGAR-25", "3")):
        answer = await shop.post(
            "/api/v1/stock/adjustments",
            {"sku": sku, "kind": "count", "quantity": counted, "reason": "stock take"},
            role="manager",
        )
        assert answer.status_code == 201, answer.text

    answer = await shop.get("/api/v1/inventory/forecast", role="manager", params={"days": 7})
    assert answer.status_code == 200, answer.text
    forecast = answer.json()
    assert (forecast["model"], forecast["version"], forecast["as_of"]) == (FORECAST, "3", today.isoformat())
    assert [d["date"] for d in forecast["days"]] == [
        (today + timedelta(days=i)).isoformat() for i in range(7)
    ]
    week = sum(_sugar(today + timedelta(days=i)) for i in range(7)) + 7 * MAIZE_A_DAY
    units = sum(d["units"] for d in forecast["days"])
    assert 0.7 * week <= units <= 1.3 * week, (units, week)
    saturday = next(d for d in forecast["days"] if date.fromisoformat(d["date"]).weekday() == 5)
    weekday = next(d for d in forecast["days"] if date.fromisoformat(d["date"]).weekday() == 1)
    assert saturday["units"] > weekday["units"]  # the weekly pattern comes through
    assert saturday["value_cents"] > weekday["value_cents"] > 0
    assert [p["sku"] for p in forecast["products"]] == ["SUGAR-25", "MM-IWISA-10"]

    answer = await shop.get("/api/v1/inventory/reorder-suggestions", role="manager")
    assert answer.status_code == 200, answer.text
    suggested = answer.json()
    [sugar] = suggested["suggestions"]  # maize has 200 in stock: nothing to order
    assert sugar["sku"] == "SUGAR-25" and sugar["on_hand"] == 3
    # Two weeks' protection (7 days' lead time + 7 of review) of ~2.3 a day, plus safety stock, less 3:
    assert 25 <= sugar["suggested_qty"] <= 45, sugar
    assert sugar["cover_days"] is not None and sugar["cover_days"] < 2

    everything = (
        await shop.get("/api/v1/inventory/reorder-suggestions", role="manager", params={"all": "true"})
    ).json()
    assert [s["sku"] for s in everything["suggestions"]] == ["SUGAR-25", "MM-IWISA-10"]  # least cover first
    assert everything["suggestions"][1]["suggested_qty"] == 0
    assert (await shop.get("/api/v1/inventory/reorder-suggestions")).status_code == 403  # cashier


async def test_stock_counted_after_the_forecast_changes_the_suggestion_at_once(
    shop: Shop, client: AsyncTestClient[Any], clock: SettableClock, forecaster: DemandForecaster
) -> None:
    _use(client, forecaster)
    await _five_weeks_of_sales(shop, clock)

    async def sugar_order() -> int:
        answer = await shop.get(
            "/api/v1/inventory/reorder-suggestions", role="manager", params={"all": "true"}
        )
        return int(next(s for s in answer.json()["suggestions"] if s["sku"] == "SUGAR-25")["suggested_qty"])

    await shop.post(
        "/api/v1/stock/adjustments",
        {"sku": "SUGAR-25", "kind": "count", "quantity": "0", "reason": "stock take"},
        role="manager",
    )
    empty = await sugar_order()
    await shop.post(
        "/api/v1/stock/adjustments",
        {"sku": "SUGAR-25", "kind": "receipt", "quantity": "24", "reason": "delivery"},
        role="manager",
    )
    assert await sugar_order() == max(empty - 24, 0)
