"""What the forecast tests share: a store that sells sugar and maize like the chain the model learnt."""

from datetime import date, timedelta

import polars as pl
from catalog_codes import MAIZE_10KG, SUGAR
from edge_support import START, Shop

from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.node import Node
from aiwebpos_edge.scoring.bundles import FORECAST
from aiwebpos_edge.scoring.registry import LoadedModel
from aiwebpos_models.forecast.model import DemandForecaster

DAYS = 35
SUGAR_A_DAY = {5: 4}  # Saturdays sell four bags of sugar, other days two
MAIZE_A_DAY = 1


def sugar_a_day(day: date) -> int:
    return SUGAR_A_DAY.get(day.weekday(), 2)


def train_forecaster() -> DemandForecaster:
    """Trained on a chain where sugar and maize sell as this store's do (as the cloud's would be)."""
    first = START.date() - timedelta(days=120)
    rows = []
    for store in ("MSU-01", "TY-02"):
        for i in range(120 + DAYS):
            day = first + timedelta(days=i)
            rows.append((store, "SUGAR-25", "Groceries", day, float(sugar_a_day(day)), 5499))
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


def use_forecaster(node: Node, model: DemandForecaster) -> None:
    node.models.swap(LoadedModel(FORECAST, "3", "cd" * 32, "2026-11-23T08:00:00.000Z", model))


async def five_weeks_of_sales(shop: Shop, clock: SettableClock) -> date:
    """Sell like the chain for DAYS days; return the day after (today, for the forecast)."""
    shift = await shop.open_shift()
    for i in range(DAYS):
        day = START.date() + timedelta(days=i)
        for _ in range(sugar_a_day(day)):
            await shop.sell(shift, SUGAR)
        await shop.sell(shift, MAIZE_10KG)
        clock.advance(timedelta(days=1))
        shop.forget_logins()  # a day later every session has long expired
    return START.date() + timedelta(days=DAYS)
