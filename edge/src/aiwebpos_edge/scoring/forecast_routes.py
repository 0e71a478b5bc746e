"""HTTP of the store's demand forecast: the coming days on the manager's screen, and what to reorder."""

from typing import Annotated

import msgspec
import polars as pl
from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter

from aiwebpos_edge.errors import Conflict
from aiwebpos_edge.node import Node, NodeDep
from aiwebpos_edge.scoring import demand
from aiwebpos_edge.scoring.bundles import FORECAST
from aiwebpos_edge.scoring.demand_planner import Plan, fresh_stock
from aiwebpos_edge.scoring.registry import LoadedModel


class ForecastDay(msgspec.Struct, kw_only=True):
    date: str
    units: float
    value_cents: int  # expected takings at today's prices


class ForecastProduct(msgspec.Struct, kw_only=True):
    sku: str
    name: str | None
    units: float


class StoreForecast(msgspec.Struct, kw_only=True):
    model: str
    version: str
    as_of: str  # the local date the forecast was made on (it covers the days from then on)
    days: list[ForecastDay]
    products: list[ForecastProduct]  # the most demanded over the same days


class ReorderSuggestion(msgspec.Struct, kw_only=True):
    sku: str
    name: str | None
    unit: str | None
    on_hand: float
    demand_over_lead_time: float  # forecast over lead time plus the review period
    safety_stock: float
    reorder_point: float
    suggested_qty: int
    cover_days: float | None  # how many days of forecast demand the stock lasts


class ReorderSuggestions(msgspec.Struct, kw_only=True):
    model: str
    version: str
    as_of: str
    lead_time_days: int
    review_days: int
    suggestions: list[ReorderSuggestion]


async def _plan(node: Node) -> tuple[LoadedModel, Plan]:
    model = node.models.get(FORECAST)
    if model is None:
        raise Conflict("this store has no forecast model yet: HQ releases one after training")
    today = node.clock.now().astimezone(node.timezone).date()
    plan = await node.planner.plan(node.read, model, node.store_id, node.settings.timezone, today)
    return model, plan


class ForecastController(Controller):
    path = "/api/v1/inventory"

    @get("/forecast", opt={"permission": "forecast.read"})
    async def forecast(
        self,
        node: NodeDep,
        days: Annotated[int, QueryParameter(ge=1, le=28)] = 14,
        top: Annotated[int, QueryParameter(ge=0, le=500)] = 20,
    ) -> StoreForecast:
        """Units and takings the store should expect on each of the coming days, and its top products."""
        model, plan = await _plan(node)
        totals = demand.daily_totals(plan.forecast, plan.products, days)
        products = demand.per_product(plan.forecast, plan.products, days).head(top)
        return StoreForecast(
            model=model.name,
            version=model.version,
            as_of=plan.day.isoformat(),
            days=[
                ForecastDay(
                    date=row["date"].isoformat(), units=round(row["units"], 2), value_cents=row["value_cents"]
                )
                for row in totals.iter_rows(named=True)
            ],
            products=[
                ForecastProduct(sku=row["sku"], name=row["name"], units=round(row["units"], 2))
                for row in products.iter_rows(named=True)
            ],
        )

    @get("/reorder-suggestions", opt={"permission": "forecast.read"})
    async def reorder_suggestions(self, node: NodeDep, all: FromQuery[bool] = False) -> ReorderSuggestions:
        """What to order now, most urgent first (`all`: every forecast product, ordering or not)."""
        model, plan = await _plan(node)
        stock = await fresh_stock(node.read, plan)
        rows = demand.suggestions(model.model, plan.forecast, stock, node.store_id)
        if not all and not rows.is_empty():
            rows = rows.filter(pl.col("suggested_qty") > 0)
        return ReorderSuggestions(
            model=model.name,
            version=model.version,
            as_of=plan.day.isoformat(),
            lead_time_days=demand.LEAD_TIME_DAYS,
            review_days=demand.REVIEW_DAYS,
            suggestions=[
                msgspec.convert({k: row[k] for k in ReorderSuggestion.__struct_fields__}, ReorderSuggestion)
                for row in rows.iter_rows(named=True)
            ],
        )
