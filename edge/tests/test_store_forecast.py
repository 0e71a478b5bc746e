"""The store's demand forecast and reorder suggestions, made at the node from its own sales with the
released forecast model: the manager sees the coming days and what to order, most urgent first."""

from datetime import date, timedelta
from typing import Any

import pytest
from edge_support import Shop
from forecast_kit import MAIZE_A_DAY, five_weeks_of_sales, sugar_a_day, train_forecaster, use_forecaster
from litestar.testing import AsyncTestClient

from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.scoring.bundles import FORECAST
from aiwebpos_models.forecast.model import DemandForecaster


@pytest.fixture(scope="module")
def forecaster() -> DemandForecaster:
    return train_forecaster()


async def test_the_manager_sees_the_coming_days_and_what_to_reorder(
    shop: Shop, client: AsyncTestClient[Any], clock: SettableClock, forecaster: DemandForecaster
) -> None:
    no_model = await shop.get("/api/v1/inventory/forecast", role="manager")
    assert no_model.status_code == 409 and "no forecast model" in no_model.json()["detail"]
    use_forecaster(client.app.state.node, forecaster)
    today = await five_weeks_of_sales(shop, clock)
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
    week = sum(sugar_a_day(today + timedelta(days=i)) for i in range(7)) + 7 * MAIZE_A_DAY
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
    use_forecaster(client.app.state.node, forecaster)
    await five_weeks_of_sales(shop, clock)

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
