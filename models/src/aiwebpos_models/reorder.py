"""How much to order: a periodic-review, order-up-to policy with safety stock from forecast errors.

A store orders every `review_days`; what it orders today arrives after `lead_time_days`, and the next
order only arrives `lead_time_days + review_days` from now. So today's order must cover the demand of
that whole protection interval, plus a safety stock against forecast error over it:

    safety stock   = z(service level) × σ_day × √(lead time + review)
    order-up-to    = forecast demand over (lead time + review) + safety stock
    order          = order-up-to − (on hand + on order), rounded UP to whole packs, never negative

(σ of a sum of n days of independent errors grows with √n). The z comes from statistics.NormalDist,
so the store node needs no scipy.
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

import polars as pl

_PACK_TOLERANCE = 1e-9  # 12.000000001 units short is 12 units short, not a 13th pack's worth


@dataclass(frozen=True)
class OrderPlan:
    safety_stock: float
    reorder_point: float  # the order-up-to level
    quantity: int


def service_z(service_level: float) -> float:
    """The z of a cycle service level (0.95 → 1.645); from 0.5 (no safety stock) to below 1."""
    if not 0.5 <= service_level < 1.0:
        raise ValueError(f"service level {service_level} must be at least 0.5 and below 1 (e.g. 0.95)")
    return NormalDist().inv_cdf(service_level)


def plan_order(
    forecast_over_lead_time: float,
    forecast_sd_per_day: float,
    lead_time_days: int,
    review_days: int,
    service_level: float,
    on_hand: float,
    on_order: float,
    pack_size: int,
) -> OrderPlan:
    """`order_quantity` with its intermediate figures (what suggest_orders shows a buyer)."""
    if pack_size < 1:
        raise ValueError(f"pack size {pack_size} must be at least 1")
    if lead_time_days < 0 or review_days < 0:
        raise ValueError("lead time and review period cannot be negative")
    protection_days = lead_time_days + review_days
    safety_stock = service_z(service_level) * max(forecast_sd_per_day, 0.0) * math.sqrt(protection_days)
    reorder_point = max(forecast_over_lead_time, 0.0) + safety_stock
    shortfall = reorder_point - (on_hand + on_order)
    packs = max(math.ceil(shortfall / pack_size - _PACK_TOLERANCE), 0)
    return OrderPlan(safety_stock, reorder_point, packs * pack_size)


def order_quantity(
    forecast_over_lead_time: float,
    forecast_sd_per_day: float,
    lead_time_days: int,
    review_days: int,
    service_level: float,
    on_hand: float,
    on_order: float,
    pack_size: int,
) -> int:
    """Units to order now (a whole number of packs, 0 when stock covers the protection interval).

    `forecast_over_lead_time` is the forecast demand over the lead time *plus* the review period;
    `forecast_sd_per_day` the standard deviation of one day's forecast error.
    """
    return plan_order(
        forecast_over_lead_time,
        forecast_sd_per_day,
        lead_time_days,
        review_days,
        service_level,
        on_hand,
        on_order,
        pack_size,
    ).quantity


SUGGESTION_SCHEMA = {
    "store_id": pl.String(),
    "sku": pl.String(),
    "on_hand": pl.Float64(),
    "on_order": pl.Float64(),
    "demand_over_lead_time": pl.Float64(),
    "safety_stock": pl.Float64(),
    "reorder_point": pl.Float64(),
    "suggested_qty": pl.Int64(),
    "cover_days": pl.Float64(),
}


def _protection_demand(forecast: pl.DataFrame, products: pl.DataFrame, review_days: int) -> pl.DataFrame:
    """Per series: forecast demand over its lead time + review days from the forecast's first day
    (extrapolated at the forecast's daily mean when the horizon is shorter), and that daily mean."""
    first_day = pl.col("date").min().over("store_id", "sku")
    days_in = (pl.col("date") - first_day).dt.total_days()
    return (
        forecast.join(products.select("sku", "lead_time_days", "pack_size"), on="sku", how="left")
        .with_columns(
            (pl.col("lead_time_days").fill_null(7) + review_days).alias("protection_days"),
            pl.col("pack_size").fill_null(1),
        )
        .group_by("store_id", "sku")
        .agg(
            pl.col("forecast").filter(days_in < pl.col("protection_days")).sum().alias("covered"),
            pl.col("forecast").mean().alias("daily_mean"),
            pl.len().alias("horizon"),
            pl.col("protection_days").first(),
            pl.col("lead_time_days").fill_null(7).first(),
            pl.col("pack_size").first(),
        )
        .with_columns(
            (
                pl.col("covered")
                + (pl.col("protection_days") - pl.col("horizon")).clip(lower_bound=0) * pl.col("daily_mean")
            ).alias("demand_over_lead_time")
        )
    )


def suggest_orders(
    forecast: pl.DataFrame,
    on_hand: pl.DataFrame,
    on_order: pl.DataFrame | None,
    products: pl.DataFrame,
    service_level: float = 0.95,
    review_days: int = 7,
    residual_sd: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One suggested order per store × SKU of `forecast` (store_id, sku, date, forecast).

    `on_hand` and `on_order` are (store_id, sku, on_hand | on_order); `products` gives lead_time_days
    (7 when unknown) and pack_size; `residual_sd` (store_id, sku, residual_sd) is the forecast error per
    day — without it, Poisson noise (√ daily mean) stands in. `demand_over_lead_time` covers lead time
    plus review period; `cover_days` is how many days of forecast demand the stock on hand lasts.
    """
    demand = _protection_demand(forecast, products, review_days)
    stock = demand.join(on_hand.select("store_id", "sku", "on_hand"), on=["store_id", "sku"], how="left")
    ordered = (
        on_order.select("store_id", "sku", "on_order")
        if on_order is not None
        else pl.DataFrame(schema={"store_id": pl.String(), "sku": pl.String(), "on_order": pl.Float64()})
    )
    stock = stock.join(ordered, on=["store_id", "sku"], how="left")
    if residual_sd is not None:
        stock = stock.join(
            residual_sd.select("store_id", "sku", "residual_sd"), on=["store_id", "sku"], how="left"
        )
    else:
        stock = stock.with_columns(pl.lit(None, pl.Float64).alias("residual_sd"))
    stock = stock.with_columns(
        pl.col("on_hand").cast(pl.Float64).fill_null(0.0),
        pl.col("on_order").cast(pl.Float64).fill_null(0.0),
        pl.col("residual_sd").fill_null(pl.col("daily_mean").clip(lower_bound=0.0).sqrt()).alias("sd"),
    ).sort("store_id", "sku")
    rows = []
    for row in stock.iter_rows(named=True):
        plan = plan_order(
            row["demand_over_lead_time"],
            row["sd"],
            row["lead_time_days"],
            review_days,
            service_level,
            row["on_hand"],
            row["on_order"],
            row["pack_size"],
        )
        daily = row["daily_mean"]
        rows.append(
            {
                "store_id": row["store_id"],
                "sku": row["sku"],
                "on_hand": row["on_hand"],
                "on_order": row["on_order"],
                "demand_over_lead_time": row["demand_over_lead_time"],
                "safety_stock": plan.safety_stock,
                "reorder_point": plan.reorder_point,
                "suggested_qty": plan.quantity,
                "cover_days": row["on_hand"] / daily if daily > 0 else None,
            }
        )
    return pl.DataFrame(rows, schema=SUGGESTION_SCHEMA)
