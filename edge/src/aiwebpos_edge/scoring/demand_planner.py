"""Keeps the store's forecast for the day: computed once per forecast model version and local date."""

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import TypeVar

import polars as pl

from aiwebpos_edge.scoring import demand, demand_store
from aiwebpos_edge.scoring.registry import LoadedModel

T = TypeVar("T")
Read = Callable[[Callable[[sqlite3.Connection], T]], Awaitable[T]]


@dataclass(frozen=True)
class Plan:
    version: str
    day: date
    forecast: pl.DataFrame  # (store_id, sku, date, forecast)
    products: pl.DataFrame  # the forecast SKUs as they were when it was made (names, prices)


def _history(conn: sqlite3.Connection, since: str) -> demand.History:
    sold = demand_store.sold_lines(conn, since)
    returned = demand_store.returned_lines(conn, since)
    skus = sorted({row[1] for row in sold})
    return demand.History(sold, returned, demand_store.products_with_stock(conn, skus))


class DemandPlanner:
    def __init__(self) -> None:
        self._plan: Plan | None = None
        self._lock = asyncio.Lock()

    async def plan(
        self, read: Read[demand.History], model: LoadedModel, store_id: str, timezone: str, today: date
    ) -> Plan:
        async with self._lock:  # two managers opening the screen at 8:00 cost one forecast
            plan = self._plan
            if plan is None or (plan.version, plan.day) != (model.version, today):
                since = (today - timedelta(days=demand.HISTORY_DAYS)).isoformat()
                history = await read(partial(_history, since=since))
                rows = await asyncio.to_thread(
                    demand.forecast, model.model, history, store_id, timezone, today
                )
                plan = Plan(model.version, today, rows, demand.products_frame(history, today))
                self._plan = plan
            return plan


async def fresh_stock(read: Read[list[tuple[object, ...]]], plan: Plan) -> pl.DataFrame:
    """The plan's products with their stock on hand now (sales since the forecast count)."""
    skus = plan.products["sku"].to_list()
    rows = await read(lambda conn: demand_store.products_with_stock(conn, skus))
    return demand.products_frame(demand.History([], [], rows), plan.day)
