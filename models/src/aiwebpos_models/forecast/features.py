"""Features of a direct multi-day forecast: one code path for training and for scoring.

A row is one series (store × SKU) × one target day, seen from one forecast origin. It may only use
what is known at the origin: the target day's calendar and planned price, and what the series (its
SKU elsewhere, its category, its store) did *before* the origin. `make_features` enforces this by
cutting the history itself — no caller can hand it a window that leaks the future.

Training builds rows from several past origins with the realised quantity as target
(`training_examples`); scoring builds the same rows for the days ahead of today (`scoring_targets` +
`make_features`). Short histories are expected (new SKUs, new stores): a missing series level falls
back to its category's level in that store, then to the SKU's level elsewhere in the chain.
"""

from collections.abc import Sequence
from datetime import date, timedelta

import polars as pl

from aiwebpos_models.forecast.calendar_features import CALENDAR_FEATURES, calendar_frame
from aiwebpos_models.forecast.frames import SERIES, alive_series, history_before, horizon_grid

TARGET = "quantity"

PRICE_FEATURES = ["price_ratio", "promo", "on_promo", "log_regular_price", "price_vs_recent"]
HISTORY_FEATURES = [
    "mean_7",
    "mean_28",
    "mean_56",
    "same_weekday_mean_4w",
    "calendar_level",
    "sd_28",
    "zero_share_28",
    "promo_share_28",
    "days_since_last_sale",
    "history_days",
]
ENCODING_FEATURES = ["sku_chain_mean_56", "category_store_mean_56", "store_index", "category_weekday_ratio"]
FEATURES = ["horizon", *CALENDAR_FEATURES, *PRICE_FEATURES, *HISTORY_FEATURES, *ENCODING_FEATURES]

_NO_SALE_YET = 999.0  # days since last sale of a series that never sold (trees only need "very long")
_WEEKDAY_WINDOW = 112  # 16 weeks: enough weekdays per category for a stable profile


def _since(origin: date, days: int) -> pl.Expr:
    return pl.col("date") >= origin - timedelta(days=days)


def _series_history(history: pl.DataFrame, origin: date) -> pl.DataFrame:
    """Level, spread and recency of each series at the origin (means over the days it was on sale)."""
    q = pl.col(TARGET)
    with_calendar = history.filter(_since(origin, 28)).join(
        calendar_frame(history.filter(_since(origin, 28))["date"]).select("date", "calendar_factor"),
        on="date",
        how="left",
    )
    level = history.group_by(SERIES).agg(
        q.filter(_since(origin, 7)).mean().alias("mean_7"),
        q.filter(_since(origin, 28)).mean().alias("mean_28"),
        q.filter(_since(origin, 56)).mean().alias("mean_56"),
        q.filter(_since(origin, 28)).std().alias("sd_28"),
        (q.filter(_since(origin, 28)) == 0).mean().alias("zero_share_28"),
        pl.col("on_promo").filter(_since(origin, 28)).cast(pl.Float64).mean().alias("promo_share_28"),
        pl.col("price_cents").filter(_since(origin, 28)).cast(pl.Float64).mean().alias("recent_price"),
        pl.col("date").filter(q > 0).max().alias("last_sale"),
        pl.len().cast(pl.Float64).alias("history_days"),
        pl.col("regular_price_cents").last().alias("last_regular_price_cents"),
        pl.col("category").last().alias("history_category"),
    )
    # Mean calendar factor of the last 28 days: the level "per unit of calendar", so that a target day
    # on payday scales it up and a quiet Monday scales it down.
    calendar_mean = with_calendar.group_by(SERIES).agg(
        (q.sum() / pl.col("calendar_factor").sum()).alias("level_per_calendar_unit")
    )
    return level.join(calendar_mean, on=SERIES, how="left").with_columns(
        ((pl.lit(origin) - pl.col("last_sale")).dt.total_days().cast(pl.Float64))
        .fill_null(_NO_SALE_YET)
        .alias("days_since_last_sale"),
    )


def _same_weekday(history: pl.DataFrame, origin: date) -> pl.DataFrame:
    return (
        history.filter(_since(origin, 28))
        .group_by(*SERIES, pl.col("date").dt.weekday().sub(1).alias("weekday"))
        .agg(pl.col(TARGET).mean().alias("same_weekday_mean_4w"))
        .with_columns(pl.col("weekday").cast(pl.Int64))
    )


def _encodings(history: pl.DataFrame, origin: date) -> tuple[pl.DataFrame, ...]:
    """Target encodings on the training window only (the 56 or 112 days before the origin)."""
    recent = history.filter(_since(origin, 56))
    q = pl.col(TARGET)
    chain_mean = recent[TARGET].mean() if not recent.is_empty() else None
    sku = recent.group_by("sku").agg(q.mean().alias("sku_chain_mean_56"))
    category_store = recent.group_by("store_id", "category").agg(q.mean().alias("category_store_mean_56"))
    store = recent.group_by("store_id").agg(
        (q.mean() / (chain_mean if isinstance(chain_mean, float) and chain_mean > 0 else 1.0)).alias(
            "store_index"
        )
    )
    weekly = history.filter(_since(origin, _WEEKDAY_WINDOW))
    weekday = (
        weekly.group_by("store_id", "category", pl.col("date").dt.weekday().sub(1).alias("weekday"))
        .agg(q.mean().alias("weekday_mean"))
        .join(
            weekly.group_by("store_id", "category").agg(q.mean().alias("category_mean")),
            on=["store_id", "category"],
        )
        .select(
            "store_id",
            "category",
            pl.col("weekday").cast(pl.Int64),
            (pl.col("weekday_mean") / pl.col("category_mean")).fill_nan(1.0).alias("category_weekday_ratio"),
        )
    )
    return sku, category_store, store, weekday


def make_features(demand: pl.DataFrame, origin: date, targets: pl.DataFrame) -> pl.DataFrame:
    """FEATURES for each row of `targets` (store_id, sku, date ≥ origin, price_cents,
    regular_price_cents, promo, on_promo, and the TARGET when training), from `demand` before `origin`.

    Returns the target rows with an `origin` column and every FEATURES column (Float64, no nulls).
    """
    history = history_before(demand, origin)
    rows = targets.filter(pl.col("date") >= origin)
    series = _series_history(history, origin)
    sku, category_store, store, weekday = _encodings(history, origin)
    joined = (
        rows.join(calendar_frame(rows["date"]), on="date", how="left")
        .join(series, on=SERIES, how="left")
        .with_columns(
            pl.col("category").fill_null(pl.col("history_category")).fill_null("unknown")
            if "category" in rows.columns
            else pl.col("history_category").fill_null("unknown").alias("category")
        )
        .join(_same_weekday(history, origin), on=[*SERIES, "weekday"], how="left")
        .join(sku, on="sku", how="left")
        .join(category_store, on=["store_id", "category"], how="left")
        .join(store, on="store_id", how="left")
        .join(weekday, on=["store_id", "category", "weekday"], how="left")
    )
    # A series without history takes its category's level in the store, then its SKU's elsewhere.
    fallback_level = pl.coalesce("category_store_mean_56", "sku_chain_mean_56", pl.lit(0.0))
    weekday_ratio = pl.col("category_weekday_ratio").fill_null(1.0)
    regular = pl.col("regular_price_cents").cast(pl.Float64)
    price = pl.col("price_cents").cast(pl.Float64)
    level_per_unit = pl.col("level_per_calendar_unit")
    return joined.with_columns(
        pl.lit(origin).alias("origin"),
        ((pl.col("date") - pl.lit(origin)).dt.total_days() + 1).cast(pl.Float64).alias("horizon"),
        *(pl.col(name).fill_null(fallback_level) for name in ("mean_7", "mean_28", "mean_56")),
        pl.col("same_weekday_mean_4w").fill_null(pl.col("mean_28").fill_null(fallback_level) * weekday_ratio),
        (level_per_unit * pl.col("calendar_factor")).fill_null(fallback_level).alias("calendar_level"),
        (price / regular).fill_null(1.0).alias("price_ratio"),
        pl.col("on_promo").cast(pl.Float64),
        regular.log().fill_null(0.0).alias("log_regular_price"),
        (price / pl.col("recent_price")).fill_null(1.0).fill_nan(1.0).alias("price_vs_recent"),
        pl.col("history_days").fill_null(0.0),
        pl.col("days_since_last_sale").fill_null(_NO_SALE_YET),
        weekday_ratio.alias("category_weekday_ratio"),
    ).with_columns(_finite(name) for name in FEATURES)


def _finite(name: str) -> pl.Expr:
    """A feature as a finite float (a free item's price ratio must not reach the trees as infinity)."""
    value = pl.col(name).cast(pl.Float64)
    return pl.when(value.is_finite()).then(value).otherwise(0.0).alias(name)


def training_examples(demand: pl.DataFrame, origins: Sequence[date], horizon: int) -> pl.DataFrame:
    """Rows of every origin's next `horizon` days with the realised TARGET (the training set)."""
    parts = []
    for origin in origins:
        window = demand.filter(
            (pl.col("date") >= origin) & (pl.col("date") < origin + timedelta(days=horizon))
        )
        if not window.is_empty():
            parts.append(make_features(demand, origin, window))
    if not parts:
        raise ValueError("no demand falls in any training window: give more history or earlier origins")
    return pl.concat(parts, how="vertical_relaxed")


def scoring_targets(
    history: pl.DataFrame, origin: date, horizon: int, future_prices: pl.DataFrame | None = None
) -> pl.DataFrame:
    """The rows to forecast: every series still on sale × the next `horizon` days, priced by the plan.

    `future_prices` (store_id, sku, date, price_cents, and optionally regular_price_cents, promo,
    category) overrides the default — tomorrow's price is the last regular price, no promotion — and
    may bring series with no history yet (a SKU new to a store).
    """
    known = history_before(history, origin)
    series = alive_series(known)
    last_regular = known.group_by(SERIES).agg(pl.col("regular_price_cents").last())
    grid = horizon_grid(series, origin, horizon).join(last_regular, on=SERIES, how="left")
    if future_prices is not None:
        planned = future_prices.filter(
            (pl.col("date") >= origin) & (pl.col("date") < origin + timedelta(days=horizon))
        )
        extra = planned.select(SERIES).unique().join(series.select(SERIES), on=SERIES, how="anti")
        new_series = horizon_grid(extra, origin, horizon).with_columns(
            pl.lit(None, pl.String).alias("category"), pl.lit(None, pl.Int64).alias("regular_price_cents")
        )
        grid = pl.concat([grid, new_series.select(grid.columns)], how="vertical_relaxed")
        planned_columns = [
            c for c in ("price_cents", "regular_price_cents", "promo", "category") if c in planned
        ]
        grid = grid.join(
            planned.select(*SERIES, "date", *planned_columns),
            on=[*SERIES, "date"],
            how="left",
            suffix="_plan",
        )
        for column in planned_columns:
            if f"{column}_plan" in grid.columns:
                grid = grid.with_columns(pl.coalesce(f"{column}_plan", column).alias(column)).drop(
                    f"{column}_plan"
                )
    if "price_cents" not in grid.columns:
        grid = grid.with_columns(pl.col("regular_price_cents").alias("price_cents"))
    regular = pl.coalesce("regular_price_cents", "price_cents")
    grid = grid.with_columns(
        pl.coalesce("price_cents", "regular_price_cents").alias("price_cents"),
        regular.alias("regular_price_cents"),
    )
    if "promo" not in grid.columns:
        grid = grid.with_columns(pl.lit(0.0).alias("promo"))
    return grid.with_columns(
        pl.col("promo").fill_null(0.0),
        (pl.col("price_cents") <= 0.95 * pl.col("regular_price_cents")).fill_null(False).alias("on_promo"),
    )
