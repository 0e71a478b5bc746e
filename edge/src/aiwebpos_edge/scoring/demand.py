"""The store's own demand forecast and reorder suggestions, from the released forecast model.

The model was trained on the whole chain; here it forecasts from this store's history alone, which it
reads the way the cloud does (`aiwebpos_models.demand.daily_demand`). Two encodings see less than in the
cloud: the SKU's level elsewhere in the chain falls back to its level here, and the store's index to 1.
Lead times and pack sizes are not in the node's catalog yet (they come with supply chain): a week and
single units until then, so a suggestion is a quantity of units to cover lead time plus a week's review.

The forecast changes once a day (it only knows whole days): it is computed once per model version and
day, in a worker thread, and kept; stock on hand is read fresh for every suggestion.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from aiwebpos_models.demand import daily_demand
from aiwebpos_models.reorder import suggest_orders

if TYPE_CHECKING:  # its module imports scikit-learn, which the node loads with its first model only
    from aiwebpos_models.forecast.model import DemandForecaster

HISTORY_DAYS = 120  # what the features look back on: 16 weeks of weekdays, 8 weeks of levels
HORIZON = 28
LEAD_TIME_DAYS = 7
REVIEW_DAYS = 7
# What demand_store's queries return, column by column (quantities are the receipts' decimal strings).
_SOLD = {
    "at": pl.String,
    "sku": pl.String,
    "quantity": pl.String,
    "unit_price_cents": pl.Int64,
    "discount_cents": pl.Int64,
    "total_cents": pl.Int64,
    "price_overridden": pl.Int64,
}
_RETURNED = {"at": pl.String, "sku": pl.String, "quantity": pl.String}
_PRODUCTS = {
    "sku": pl.String,
    "name": pl.String,
    "category": pl.String,
    "unit": pl.String,
    "price_cents": pl.Int64,
    "active": pl.Int64,
    "on_hand_milli": pl.Int64,
}


@dataclass(frozen=True)
class History:
    sold: list[tuple[Any, ...]]  # demand_store.sold_lines
    returned: list[tuple[Any, ...]]  # demand_store.returned_lines
    products: list[tuple[Any, ...]]  # demand_store.products_with_stock


def _local_dates(frame: pl.DataFrame, timezone: str) -> pl.DataFrame:
    at = pl.col("at").str.to_datetime(time_zone="UTC", time_unit="ms", strict=False)
    return frame.with_columns(at.dt.convert_time_zone(timezone).dt.date().alias("date")).drop("at")


def sale_lines_frame(history: History, store_id: str, timezone: str) -> pl.DataFrame:
    frame = pl.DataFrame(history.sold, schema=_SOLD, orient="row").with_columns(
        pl.lit(store_id).alias("store_id"),
        pl.col("quantity").cast(pl.Float64),
        pl.col("price_overridden").cast(pl.Boolean),
    )
    return _local_dates(frame, timezone)


def returns_frame(history: History, store_id: str, timezone: str) -> pl.DataFrame:
    frame = pl.DataFrame(history.returned, schema=_RETURNED, orient="row")
    frame = frame.with_columns(pl.lit(store_id).alias("store_id"), pl.col("quantity").cast(pl.Float64))
    return _local_dates(frame, timezone)


def products_frame(history: History, today: date) -> pl.DataFrame:
    frame = pl.DataFrame(history.products, schema=_PRODUCTS, orient="row")
    return frame.with_columns(
        pl.col("category").replace("", "unknown"),
        pl.lit(None, pl.Date).alias("introduced_on"),
        # A product no longer sold has no demand from today on.
        pl.when(pl.col("active").cast(pl.Boolean))
        .then(None)
        .otherwise(pl.lit(today))
        .alias("discontinued_on"),
        (pl.col("on_hand_milli").cast(pl.Float64) / 1000).alias("on_hand"),
        pl.lit(LEAD_TIME_DAYS).alias("lead_time_days"),
        pl.lit(1).alias("pack_size"),
    )


def forecast(
    model: "DemandForecaster", history: History, store_id: str, timezone: str, today: date
) -> pl.DataFrame:
    """(store_id, sku, date, forecast) from today over the model's horizon; empty with no history."""
    products = products_frame(history, today)
    lines = sale_lines_frame(history, store_id, timezone)
    if lines.is_empty() or products.is_empty():
        return pl.DataFrame(
            schema={"store_id": pl.String, "sku": pl.String, "date": pl.Date, "forecast": pl.Float64}
        )
    demand = daily_demand(
        lines, products, returns_frame(history, store_id, timezone), end=today - timedelta(days=1)
    )
    return model.predict(demand, origin=today, horizon=min(HORIZON, model.horizon))


def daily_totals(forecast_rows: pl.DataFrame, products: pl.DataFrame, days: int) -> pl.DataFrame:
    """Per day: units and expected takings at today's prices (date, units, value_cents)."""
    first = forecast_rows["date"].min() if not forecast_rows.is_empty() else None
    if first is None:
        return pl.DataFrame(schema={"date": pl.Date, "units": pl.Float64, "value_cents": pl.Int64})
    assert isinstance(first, date)
    return (
        forecast_rows.filter(pl.col("date") < first + timedelta(days=days))
        .join(products.select("sku", "price_cents"), on="sku", how="left")
        .group_by("date")
        .agg(
            pl.col("forecast").sum().alias("units"),
            (pl.col("forecast") * pl.col("price_cents").fill_null(0))
            .sum()
            .round()
            .cast(pl.Int64)
            .alias("value_cents"),
        )
        .sort("date")
    )


def per_product(forecast_rows: pl.DataFrame, products: pl.DataFrame, days: int) -> pl.DataFrame:
    """Per SKU: name and units forecast over the next `days` days, most first."""
    first = forecast_rows["date"].min() if not forecast_rows.is_empty() else None
    if first is None:
        return pl.DataFrame(schema={"sku": pl.String, "name": pl.String, "units": pl.Float64})
    assert isinstance(first, date)
    return (
        forecast_rows.filter(pl.col("date") < first + timedelta(days=days))
        .group_by("sku")
        .agg(pl.col("forecast").sum().alias("units"))
        .join(products.select("sku", "name"), on="sku", how="left")
        .select("sku", "name", "units")
        .sort("units", "sku", descending=[True, False])
    )


def suggestions(
    model: "DemandForecaster", forecast_rows: pl.DataFrame, products: pl.DataFrame, store_id: str
) -> pl.DataFrame:
    """One row per forecast SKU: stock, cover and the order that brings it back to its reorder point."""
    if forecast_rows.is_empty():
        return pl.DataFrame()
    on_hand = products.select(pl.lit(store_id).alias("store_id"), "sku", "on_hand")
    residual = model.residual_sd.filter(pl.col("store_id") == store_id)
    planned = suggest_orders(
        forecast_rows,
        on_hand,
        None,
        products.select("sku", "lead_time_days", "pack_size"),
        review_days=REVIEW_DAYS,
        residual_sd=residual if not residual.is_empty() else None,
    )
    return planned.join(products.select("sku", "name", "unit"), on="sku", how="left").sort(
        pl.col("cover_days").fill_null(float("inf")), "sku"
    )
