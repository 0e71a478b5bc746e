"""Price recommendations for a manager to approve: every row leaves here with status "proposed".

- markdown (per store): stock far above what the forecast will sell in the window, or a SKU to be
  discontinued before its stock sells: the markdown whose elasticity-predicted lift sells the stock
  in the window (at least 5 %, at most `max_markdown`; not below cost unless the SKU is leaving);
- price (chain-wide, store_id null): a regular price move of at most ±`max_change` toward the
  margin-optimal price c·e/(1+e) (for inelastic demand, toward the upper bound), never below cost,
  proposed only when the expected margin over the window grows.

Every price is a shelf price (ending .49 or .99). The recommendation_id hashes what the proposal is
and the day it was made, so running the flow twice in a day proposes the same ids.
"""

import hashlib
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import polars as pl

from aiwebpos_models.pricing.price_math import (
    clearance_markdown,
    margin_optimal_price,
    net_of_vat,
    shelf_price,
    units_ratio,
)

LESOTHO_VAT_RATES: Mapping[str, float] = {"standard": 0.15, "reduced": 0.10, "zero": 0.0, "exempt": 0.0}
MIN_MARKDOWN = 0.05
RECOMMENDATION_SCHEMA = {
    "recommendation_id": pl.String(),
    "store_id": pl.String(),
    "sku": pl.String(),
    "kind": pl.String(),
    "current_price_cents": pl.Int64(),
    "recommended_price_cents": pl.Int64(),
    "change_pct": pl.Float64(),
    "elasticity": pl.Float64(),
    "expected_units_change_pct": pl.Float64(),
    "expected_margin_change_cents": pl.Int64(),
    "reason": pl.String(),
    "status": pl.String(),
}


def recommendation_id(kind: str, store_id: str | None, sku: str, as_of: date, price_cents: int) -> str:
    key = f"{kind}|{store_id or '*'}|{sku}|{as_of.isoformat()}|{price_cents}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _window_demand(forecast: pl.DataFrame, as_of: date, window_days: int, by: list[str]) -> pl.DataFrame:
    """Forecast units over the window from `as_of` (extrapolated at the daily mean past the horizon)."""
    window = forecast.filter(
        (pl.col("date") >= as_of) & (pl.col("date") < as_of + timedelta(days=window_days))
    )
    per_series = window.group_by("store_id", "sku").agg(
        pl.col("forecast").sum().alias("covered"),
        pl.col("forecast").mean().alias("daily"),
        pl.len().alias("days"),
    )
    extrapolated = pl.col("covered") + (window_days - pl.col("days")).clip(lower_bound=0) * pl.col("daily")
    return (
        per_series.with_columns(extrapolated.alias("window_units"))
        .group_by(by)
        .agg(pl.col("window_units").sum())
    )


def _proposal(
    kind: str,
    store_id: str | None,
    product: Mapping[str, Any],
    new_price: int,
    elasticity: float,
    units_before: float,
    units_after: float,
    vat_rate: float,
    as_of: date,
    reason: str,
) -> dict[str, Any]:
    old_price = int(product["price_cents"])
    cost = float(product["cost_cents"])
    margin_before = units_before * (net_of_vat(old_price, vat_rate) - cost)
    margin_after = units_after * (net_of_vat(new_price, vat_rate) - cost)
    ratio = units_ratio(new_price, old_price, elasticity)
    return {
        "recommendation_id": recommendation_id(kind, store_id, product["sku"], as_of, new_price),
        "store_id": store_id,
        "sku": product["sku"],
        "kind": kind,
        "current_price_cents": old_price,
        "recommended_price_cents": new_price,
        "change_pct": round(100 * (new_price - old_price) / old_price, 2),
        "elasticity": round(elasticity, 3),
        "expected_units_change_pct": round(100 * (ratio - 1), 1),
        "expected_margin_change_cents": round(margin_after - margin_before),
        "reason": reason,
        "status": "proposed",
    }


def markdown_recommendations(
    forecast: pl.DataFrame,
    on_hand: pl.DataFrame,
    products: pl.DataFrame,
    elasticities: pl.DataFrame,
    as_of: date,
    window_days: int = 28,
    overstock_cover: float = 2.0,
    max_markdown: float = 0.5,
    vat_rates: Mapping[str, float] = LESOTHO_VAT_RATES,
) -> pl.DataFrame:
    """Markdowns per store × SKU for overstock, slow movers and SKUs discontinued within the window."""
    demand = _window_demand(forecast, as_of, window_days, ["store_id", "sku"])
    candidates = (
        on_hand.select("store_id", "sku", pl.col("on_hand").cast(pl.Float64))
        .filter(pl.col("on_hand") > 0)
        .join(demand, on=["store_id", "sku"], how="left")
        .join(products, on="sku", how="inner")
        .join(elasticities.select("sku", "elasticity"), on="sku", how="inner")
        .with_columns(pl.col("window_units").fill_null(0.0))
        .sort("store_id", "sku")
    )
    window_end = as_of + timedelta(days=window_days)
    rows = []
    for row in candidates.iter_rows(named=True):
        stock, units, elasticity = row["on_hand"], row["window_units"], row["elasticity"]
        leaving = row.get("discontinued_on") is not None and row["discontinued_on"] <= window_end
        if not (stock > overstock_cover * units or (leaving and stock > units)):
            continue
        needed = clearance_markdown(stock / units, elasticity) if units > 0 else None
        markdown = min(max(needed if needed is not None else max_markdown, MIN_MARKDOWN), max_markdown)
        old_price, vat_rate = row["price_cents"], vat_rates.get(row["vat_class"], 0.0)
        floor = old_price * (1 - max_markdown)
        if not leaving:  # a slow mover that stays in the range is not sold at a loss
            floor = max(floor, row["cost_cents"] * (1 + vat_rate))
        new_price = shelf_price(old_price * (1 - markdown), floor, old_price * (1 - MIN_MARKDOWN))
        if new_price is None:
            continue
        units_after = min(stock, units * units_ratio(new_price, old_price, elasticity))
        cover = f"{stock:g} on hand against {units:.1f} forecast to sell in {window_days} days"
        why = f"leaves the range on {row['discontinued_on']}" if leaving else "overstock"
        reason = (
            f"{why}: {cover}; at {new_price / 100:.2f} (elasticity {elasticity:.2f}) "
            f"about {units_after:.0f} should sell in the window"
        )
        rows.append(
            _proposal(
                "markdown",
                row["store_id"],
                row,
                new_price,
                elasticity,
                min(stock, units),
                units_after,
                vat_rate,
                as_of,
                reason,
            )
        )
    return pl.DataFrame(rows, schema=RECOMMENDATION_SCHEMA)


def price_recommendations(
    forecast: pl.DataFrame,
    products: pl.DataFrame,
    elasticities: pl.DataFrame,
    as_of: date,
    window_days: int = 28,
    max_change: float = 0.10,
    min_change: float = 0.01,
    vat_rates: Mapping[str, float] = LESOTHO_VAT_RATES,
) -> pl.DataFrame:
    """Chain-wide regular price moves toward the margin-optimal price, within ±`max_change`."""
    demand = _window_demand(forecast, as_of, window_days, ["sku"])
    staying = (
        products.filter(pl.col("discontinued_on").is_null())
        if "discontinued_on" in products.columns
        else products
    )
    candidates = (
        staying.join(demand, on="sku", how="inner")
        .join(elasticities.select("sku", "elasticity"), on="sku", how="inner")
        .filter((pl.col("window_units") > 0) & (pl.col("price_cents") > 0))
        .sort("sku")
    )
    rows = []
    for row in candidates.iter_rows(named=True):
        old_price, elasticity = row["price_cents"], row["elasticity"]
        vat_rate = vat_rates.get(row["vat_class"], 0.0)
        optimum = margin_optimal_price(row["cost_cents"], elasticity, vat_rate)
        target = optimum if optimum is not None else old_price * (1 + max_change)
        lower = max(old_price * (1 - max_change), row["cost_cents"] * (1 + vat_rate))
        new_price = shelf_price(target, lower, old_price * (1 + max_change))
        if new_price is None or abs(new_price - old_price) < min_change * old_price:
            continue
        units = row["window_units"]
        proposal = _proposal(
            "price",
            None,
            row,
            new_price,
            elasticity,
            units,
            units * units_ratio(new_price, old_price, elasticity),
            vat_rate,
            as_of,
            "",
        )
        if proposal["expected_margin_change_cents"] <= 0:
            continue
        toward = f"the margin-optimal {optimum / 100:.2f}" if optimum is not None else "a higher price"
        proposal["reason"] = (
            f"elasticity {elasticity:.2f} and cost {row['cost_cents'] / 100:.2f} point to {toward}; "
            f"a move of at most {max_change:.0%} should add {proposal['expected_margin_change_cents'] / 100:.2f} "
            f"of margin over {window_days} days"
        )
        rows.append(proposal)
    return pl.DataFrame(rows, schema=RECOMMENDATION_SCHEMA)


def recommend(
    forecast: pl.DataFrame,
    on_hand: pl.DataFrame,
    products: pl.DataFrame,
    elasticities: pl.DataFrame,
    as_of: date,
    window_days: int = 28,
    vat_rates: Mapping[str, float] = LESOTHO_VAT_RATES,
) -> pl.DataFrame:
    """Markdowns and regular price moves together (RECOMMENDATION_SCHEMA), all "proposed"."""
    return pl.concat(
        [
            markdown_recommendations(
                forecast, on_hand, products, elasticities, as_of, window_days, vat_rates=vat_rates
            ),
            price_recommendations(forecast, products, elasticities, as_of, window_days, vat_rates=vat_rates),
        ]
    )
