"""Daily demand per store × SKU × day, and the stock on hand now, from the lakehouse's line tables.

Demand is what sold, not what was ordered: a day without a sale is a zero (the grid is zero-filled over
each product's active life in each store), returns can be netted out, and every day carries the price
the shoppers saw, because price and promotions explain much of the variation a forecast must learn.

The regular price is the highest shelf price of the trailing four weeks: a promotion is a temporary
drop, so a permanent rise shows at once and a permanent cut only after four weeks (until then it reads
as a promotion) — the usual retail convention when no price calendar is at hand.
"""

from datetime import UTC, date, datetime, time

import polars as pl

KEY = ("store_id", "sku")
DEMAND_COLUMNS = (
    "store_id",
    "sku",
    "category",
    "date",
    "quantity",
    "price_cents",
    "regular_price_cents",
    "promo",
    "on_promo",
)
PROMO_THRESHOLD = 0.95  # a day is "on promotion" when it sold at least 5 % under the regular price
REGULAR_PRICE_WINDOW = "28d"


def _daily_sales(sale_lines: pl.DataFrame) -> pl.DataFrame:
    quantity = pl.col("quantity").cast(pl.Float64)
    shelf = pl.when(~pl.col("price_overridden")).then(pl.col("unit_price_cents"))
    return (
        sale_lines.filter(pl.col("quantity").cast(pl.Float64) > 0)
        .group_by("store_id", "sku", "date")
        .agg(
            quantity.sum().alias("sold"),
            (quantity * pl.col("unit_price_cents")).sum().alias("gross_cents"),
            pl.col("discount_cents").sum().alias("discount_cents"),
            pl.col("total_cents").sum().alias("total_cents"),
            # An overridden price is a cashier's correction, not the shelf: leave it out of "regular".
            shelf.max().alias("shelf_price_cents"),
        )
    )


def _daily_returns(returns: pl.DataFrame | None) -> pl.DataFrame:
    schema = {"store_id": pl.String(), "sku": pl.String(), "date": pl.Date(), "returned": pl.Float64()}
    if returns is None or returns.is_empty():
        return pl.DataFrame(schema=schema)
    return (
        returns.group_by("store_id", "sku", "date")
        .agg(pl.col("quantity").cast(pl.Float64).sum().alias("returned"))
        .cast(pl.Schema(schema))
    )


def _active_lives(sales: pl.DataFrame, products: pl.DataFrame, start: date, end: date) -> pl.DataFrame:
    """First and last day of each store × SKU: from its introduction (or first sale, whichever is earlier,
    but not before the store first traded) to its discontinuation (or the last sale after it)."""
    store_opened = sales.group_by("store_id").agg(pl.col("date").min().alias("store_opened"))
    lives = (
        sales.group_by(KEY)
        .agg(pl.col("date").min().alias("first_sale"), pl.col("date").max().alias("last_sale"))
        .join(store_opened, on="store_id")
        .join(products.select("sku", "introduced_on", "discontinued_on"), on="sku", how="left")
    )
    first = pl.min_horizontal("first_sale", "introduced_on")
    last = pl.max_horizontal("last_sale", pl.col("discontinued_on").fill_null(pl.lit(end)))
    return lives.select(
        *KEY,
        pl.max_horizontal(first, "store_opened", pl.lit(start)).alias("life_start"),
        pl.min_horizontal(last, pl.lit(end)).alias("life_end"),
    ).filter(pl.col("life_start") <= pl.col("life_end"))


def daily_demand(
    sale_lines: pl.DataFrame,
    products: pl.DataFrame,
    returns: pl.DataFrame | None = None,
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """One row per store × SKU × day of the product's active life, zero-filled (columns: DEMAND_COLUMNS).

    `quantity` is net of `returns` (by the day of the return, never below zero) when they are given;
    `price_cents` is the realised average unit price after discounts on days with sales and the shelf
    price on days without; `promo` is the discount's share of the gross value sold.
    """
    sales = _daily_sales(sale_lines)
    if sales.is_empty():
        return pl.DataFrame(schema=_demand_schema())
    first_day, last_day = sales["date"].min(), sales["date"].max()
    assert isinstance(first_day, date) and isinstance(last_day, date)
    start, end = start or first_day, end or last_day
    grid = (
        _active_lives(sales, products, start, end)
        .select(*KEY, pl.date_ranges("life_start", "life_end").alias("date"))
        .explode("date")
    )
    catalog = products.select("sku", "category", pl.col("price_cents").alias("catalog_price_cents"))
    days = (
        grid.join(sales, on=[*KEY, "date"], how="left")
        .join(_daily_returns(returns), on=[*KEY, "date"], how="left")
        .join(catalog, on="sku", how="left")
        .sort(*KEY, "date")
    )
    shelf = (
        pl.col("shelf_price_cents")
        .forward_fill()
        .backward_fill()
        .over(KEY)
        .fill_null(pl.col("catalog_price_cents"))
    )
    sold = pl.col("sold").fill_null(0.0)
    net = (sold - pl.col("returned").fill_null(0.0)).clip(lower_bound=0.0)
    realised = pl.when(sold > 0).then(pl.col("total_cents") / sold).otherwise(pl.col("shelf"))
    promo = pl.when(pl.col("gross_cents") > 0).then(pl.col("discount_cents") / pl.col("gross_cents"))
    return (
        days.with_columns(shelf.cast(pl.Float64).alias("shelf"))
        .with_columns(
            pl.col("shelf")
            .rolling_max_by("date", window_size=REGULAR_PRICE_WINDOW)
            .over(KEY)
            .round()
            .cast(pl.Int64)
            .alias("regular_price_cents"),
            realised.round().cast(pl.Int64).alias("price_cents"),
        )
        .select(
            *KEY,
            pl.col("category").fill_null("unknown"),
            "date",
            (net if returns is not None else sold).alias("quantity"),
            "price_cents",
            "regular_price_cents",
            promo.fill_null(0.0).clip(0.0, 1.0).alias("promo"),
            (pl.col("price_cents") <= PROMO_THRESHOLD * pl.col("regular_price_cents")).alias("on_promo"),
        )
    )


def _demand_schema() -> dict[str, pl.DataType]:
    return {
        "store_id": pl.String(),
        "sku": pl.String(),
        "category": pl.String(),
        "date": pl.Date(),
        "quantity": pl.Float64(),
        "price_cents": pl.Int64(),
        "regular_price_cents": pl.Int64(),
        "promo": pl.Float64(),
        "on_promo": pl.Boolean(),
    }


def _naive_utc(column: str) -> pl.Expr:
    """Timestamps compared as naive UTC whatever time zone the column carries."""
    return pl.col(column).dt.replace_time_zone(None)


def _as_naive_utc(moment: datetime | date) -> datetime:
    if not isinstance(moment, datetime):  # a date means "at the end of that day"
        return datetime.combine(moment, time.max)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _utc_column(frame: pl.DataFrame) -> pl.DataFrame:
    dtype = frame.schema["occurred_at"]
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        frame = frame.with_columns(pl.col("occurred_at").dt.convert_time_zone("UTC"))
    return frame.with_columns(_naive_utc("occurred_at"))


def on_hand_now(
    stock_movements: pl.DataFrame,
    sale_lines: pl.DataFrame,
    return_lines: pl.DataFrame,
    as_of: datetime | date,
) -> pl.DataFrame:
    """Units on hand per store × SKU at `as_of` (columns store_id, sku, on_hand Float64).

    Anchored on the last movement that states the on-hand after it (a count, or any movement the node
    reported it for); what moved after the anchor is added: signed receipts, adjustments and transfers,
    minus the units sold, plus the units returned. Sales and returns come from their own line tables,
    so stock movements of kind "sale" or "return" only serve as anchors (never counted twice).
    """
    cutoff = _as_naive_utc(as_of)
    moves = _utc_column(stock_movements).filter(pl.col("occurred_at") <= cutoff)
    anchors = (
        moves.filter(pl.col("on_hand").is_not_null())
        .sort("occurred_at")
        .group_by(KEY)
        .agg(
            pl.col("occurred_at").last().alias("anchored_at"),
            pl.col("on_hand").last().cast(pl.Float64).alias("anchor"),
        )
    )

    def after_anchor(frame: pl.DataFrame, name: str) -> pl.DataFrame:
        later = frame.join(anchors, on=list(KEY), how="left").filter(
            pl.col("anchored_at").is_null() | (pl.col("occurred_at") > pl.col("anchored_at"))
        )
        return later.group_by(KEY).agg(pl.col("quantity").cast(pl.Float64).sum().alias(name))

    moved = after_anchor(moves.filter(~pl.col("kind").is_in(["sale", "return"])), "moved")
    sold = after_anchor(_utc_column(sale_lines).filter(pl.col("occurred_at") <= cutoff), "sold")
    returned = after_anchor(_utc_column(return_lines).filter(pl.col("occurred_at") <= cutoff), "returned")
    keys = pl.concat([f.select(KEY) for f in (anchors, moved, sold, returned)]).unique()
    result = keys
    for part in (anchors.select(*KEY, "anchor"), moved, sold, returned):
        result = result.join(part, on=list(KEY), how="left")
    on_hand = (
        pl.col("anchor").fill_null(0.0)
        + pl.col("moved").fill_null(0.0)
        - pl.col("sold").fill_null(0.0)
        + pl.col("returned").fill_null(0.0)
    )
    return result.select(*KEY, on_hand.alias("on_hand")).sort(KEY)
