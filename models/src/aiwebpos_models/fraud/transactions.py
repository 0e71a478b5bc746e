"""Features of one transaction — a completed sale or a return — for exception-based fraud scoring.

One code path for training and scoring: the flows call `transaction_features` on the lakehouse tables
(`sales`, `sale_lines`, `payments`, `returns`), and a store node scores one sale by calling it on
one-row frames of the same columns. Every feature is a rate or a flag a loss-prevention manager reads
("4 of 6 lines voided", "refund in cash 9 minutes after the sale"), so a score's reasons can name them.

Sales and returns share one feature space (`is_return` tells them apart) so one model ranks both.
"""

from datetime import date

import polars as pl

from aiwebpos_models.calendar import trading_day

MASERU = "Africa/Maseru"

TRANSACTION_FEATURES: tuple[str, ...] = (
    "is_return",
    "line_count",
    "total_cents",
    "discount_share",  # discount ÷ value before discount
    "overridden_lines",
    "override_share",  # share of the lines whose price a manager overrode
    "voided_count",
    "voided_share",  # voided value ÷ (kept + voided value)
    "cash_share",  # share of the tender (or refund) in cash
    "minutes_outside_hours",  # minutes before opening or after closing (0 within trading hours)
    "refund_minutes_after_sale",  # returns: minutes since the original sale (large for sales)
    "refund_by_seller",  # returns: refunded by the cashier who made the sale
    "cents_per_line",  # low values with many lines: the sweethearting basket
)

# Columns that identify a transaction and travel beside its features.
IDENTITY: tuple[str, ...] = ("ref", "kind", "store_id", "shift_id", "cashier", "occurred_at")

_NO_SALE_BEFORE = 7 * 24 * 60.0  # what a sale's "minutes after sale" reads as: nothing suspicious


def _trading_hours(dates: pl.Series) -> pl.DataFrame:
    """Opening and closing, in minutes after local midnight, of each distinct local date."""
    days: list[date] = sorted(set(dates.drop_nulls().to_list()))
    rows = [trading_day(day) for day in days]
    return pl.DataFrame(
        {
            "local_date": days,
            "opens_min": [r.opens.hour * 60 + r.opens.minute for r in rows],
            "closes_min": [r.closes.hour * 60 + r.closes.minute for r in rows],
        },
        schema={"local_date": pl.Date, "opens_min": pl.Int64, "closes_min": pl.Int64},
    )


def with_minutes_outside_hours(frame: pl.DataFrame, at: str = "occurred_at") -> pl.DataFrame:
    """Adds `minutes_outside_hours` from the UTC timestamp column `at`, in the store's local time."""
    local = pl.col(at).dt.convert_time_zone(MASERU)
    frame = frame.with_columns(
        local.dt.date().alias("local_date"),
        (local.dt.hour().cast(pl.Int64) * 60 + local.dt.minute().cast(pl.Int64)).alias("local_min"),
    )
    hours = _trading_hours(frame.get_column("local_date"))
    outside = (
        pl.max_horizontal(
            pl.col("opens_min") - pl.col("local_min"), pl.col("local_min") - pl.col("closes_min"), 0
        )
        .cast(pl.Float64)
        .alias("minutes_outside_hours")
    )
    return (
        frame.join(hours, on="local_date", how="left")
        .with_columns(outside)
        .drop("local_date", "local_min", "opens_min", "closes_min")
    )


def _line_stats(sale_lines: pl.DataFrame) -> pl.DataFrame:
    return sale_lines.group_by("receipt_no").agg(
        pl.col("price_overridden").cast(pl.Int64).sum().alias("overridden_lines"),
        (pl.col("unit_price_cents") * pl.col("quantity").cast(pl.Float64)).sum().alias("gross_value"),
    )


def _cash_share(payments: pl.DataFrame) -> pl.DataFrame:
    amount = pl.col("amount_cents").abs().cast(pl.Float64)
    return payments.group_by("receipt_no").agg(
        (amount.filter(pl.col("method") == "cash").sum() / amount.sum()).fill_nan(0.0).alias("cash_share")
    )


def _sale_rows(sales: pl.DataFrame, sale_lines: pl.DataFrame, payments: pl.DataFrame) -> pl.DataFrame:
    voided_count = pl.col("voided_count") if "voided_count" in sales.columns else pl.lit(0)
    voided_cents = pl.col("voided_cents") if "voided_cents" in sales.columns else pl.lit(0)
    before_discount = (pl.col("total_cents") + pl.col("discount_cents")).cast(pl.Float64)
    return (
        sales.join(_line_stats(sale_lines), on="receipt_no", how="left")
        .join(_cash_share(payments), on="receipt_no", how="left")
        .select(
            pl.col("receipt_no").alias("ref"),
            pl.lit("sale").alias("kind"),
            "store_id",
            "shift_id",
            "cashier",
            "occurred_at",
            pl.lit(0.0).alias("is_return"),
            pl.col("line_count").cast(pl.Float64),
            pl.col("total_cents").cast(pl.Float64),
            (pl.col("discount_cents") / pl.max_horizontal(before_discount, 1.0)).alias("discount_share"),
            pl.col("overridden_lines").fill_null(0).cast(pl.Float64),
            (pl.col("overridden_lines").fill_null(0) / pl.max_horizontal(pl.col("line_count"), 1)).alias(
                "override_share"
            ),
            voided_count.cast(pl.Float64).alias("voided_count"),
            (voided_cents / pl.max_horizontal(pl.col("total_cents") + voided_cents, 1))
            .cast(pl.Float64)
            .alias("voided_share"),
            pl.col("cash_share").fill_null(0.0),
            pl.lit(_NO_SALE_BEFORE).alias("refund_minutes_after_sale"),
            pl.lit(0.0).alias("refund_by_seller"),
            (pl.col("total_cents") / pl.max_horizontal(pl.col("line_count"), 1))
            .cast(pl.Float64)
            .alias("cents_per_line"),
        )
    )


def _return_rows(returns: pl.DataFrame, sales: pl.DataFrame) -> pl.DataFrame:
    original = sales.select(
        pl.col("receipt_no").alias("original_receipt_no"),
        pl.col("occurred_at").alias("sold_at"),
        pl.col("cashier").alias("sold_by"),
    )
    minutes = (pl.col("occurred_at") - pl.col("sold_at")).dt.total_seconds() / 60.0
    return returns.join(original, on="original_receipt_no", how="left").select(
        pl.col("credit_note_no").alias("ref"),
        pl.lit("return").alias("kind"),
        "store_id",
        "shift_id",
        "cashier",
        "occurred_at",
        pl.lit(1.0).alias("is_return"),
        pl.col("line_count").cast(pl.Float64),
        pl.col("refund_cents").cast(pl.Float64).alias("total_cents"),
        pl.lit(0.0).alias("discount_share"),
        pl.lit(0.0).alias("overridden_lines"),
        pl.lit(0.0).alias("override_share"),
        pl.lit(0.0).alias("voided_count"),
        pl.lit(0.0).alias("voided_share"),
        (pl.col("refund_method") == "cash").cast(pl.Float64).alias("cash_share"),
        # A return whose sale is not in the data (older than the history): as if long after.
        minutes.fill_null(_NO_SALE_BEFORE).cast(pl.Float64).alias("refund_minutes_after_sale"),
        (pl.col("cashier") == pl.col("sold_by")).fill_null(False).cast(pl.Float64).alias("refund_by_seller"),
        (pl.col("refund_cents") / pl.max_horizontal(pl.col("line_count"), 1))
        .cast(pl.Float64)
        .alias("cents_per_line"),
    )


def transaction_features(
    sales: pl.DataFrame,
    sale_lines: pl.DataFrame,
    payments: pl.DataFrame,
    returns: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per sale and per return: `IDENTITY` columns, then `TRANSACTION_FEATURES` (Float64).

    `payments` may hold refunds too (they are keyed by the credit note's receipt number and ignored
    here: a return's cash share is its refund method)."""
    frames = [_sale_rows(sales, sale_lines, payments)]
    if returns is not None and returns.height:
        frames.append(_return_rows(returns, sales))
    rows = pl.concat(frames, how="vertical_relaxed")
    rows = with_minutes_outside_hours(rows)
    return rows.select(*IDENTITY, *(pl.col(name).cast(pl.Float64) for name in TRANSACTION_FEATURES))
