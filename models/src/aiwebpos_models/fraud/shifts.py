"""Features of one cashier shift: the Z report's exceptions as rates, and its transactions' worst.

A shift is where most cashier fraud shows: one void proves nothing, a cashier voiding one sale in five
does. Rates, not counts, so a long Saturday shift and a short Sunday one compare; the store node scores
a shift when it closes from its Z report and the scores of the shift's own transactions.
"""

import polars as pl

SHIFT_FEATURES: tuple[str, ...] = (
    "voids_per_sale",
    "void_value_share",
    "discount_value_share",
    "return_value_share",
    "cancels_per_sale",
    "no_sales_per_hour",
    "short_cash_share",  # missing cash ÷ cash taken
    "override_lines_per_sale",
    "cash_refunds_within_hour",  # cash refunds of sales made less than an hour before, per sale
    "minutes_outside_hours",  # summed over the shift's transactions
    "max_transaction_score",
    "mean_transaction_score",
)
SHIFT_IDENTITY: tuple[str, ...] = ("shift_id", "store_id", "cashier", "closed_at")


def _per_shift_transactions(transactions: pl.DataFrame) -> pl.DataFrame:
    quick_cash_refund = (
        (pl.col("is_return") > 0) & (pl.col("cash_share") > 0) & (pl.col("refund_minutes_after_sale") <= 60)
    )
    score = pl.col("score") if "score" in transactions.columns else pl.lit(0.0)
    return transactions.group_by("shift_id").agg(
        pl.col("overridden_lines").sum().alias("override_lines"),
        quick_cash_refund.cast(pl.Float64).sum().alias("quick_cash_refunds"),
        pl.col("minutes_outside_hours").sum().alias("minutes_outside_hours"),
        score.max().alias("max_transaction_score"),
        score.mean().alias("mean_transaction_score"),
    )


def shift_features(shifts: pl.DataFrame, transactions: pl.DataFrame) -> pl.DataFrame:
    """One row per closed shift: `SHIFT_IDENTITY` then `SHIFT_FEATURES` (Float64).

    `shifts` has the columns of the lakehouse view `shifts` (the Z report); `transactions` is
    `transaction_features` of the same period, with a `score` column once scored (else 0)."""
    closed = shifts.filter(pl.col("closed_at").is_not_null())
    sales = pl.max_horizontal(pl.col("sales_count"), 1).cast(pl.Float64)
    sold = pl.col("sales_total_cents").cast(pl.Float64)
    hours = ((pl.col("closed_at") - pl.col("opened_at")).dt.total_seconds() / 3600.0).clip(lower_bound=0.5)
    joined = closed.join(_per_shift_transactions(transactions), on="shift_id", how="left")
    return joined.select(
        *SHIFT_IDENTITY,
        (pl.col("voids_count") / sales).alias("voids_per_sale"),
        (pl.col("voids_cents") / pl.max_horizontal(sold + pl.col("voids_cents"), 1.0)).alias(
            "void_value_share"
        ),
        (pl.col("discounts_cents") / pl.max_horizontal(sold + pl.col("discounts_cents"), 1.0)).alias(
            "discount_value_share"
        ),
        (pl.col("returns_cents") / pl.max_horizontal(sold, 1.0)).alias("return_value_share"),
        (pl.col("cancelled_count") / sales).alias("cancels_per_sale"),
        (pl.col("no_sales_count") / hours).alias("no_sales_per_hour"),
        (
            pl.max_horizontal(-pl.col("variance_cents").fill_null(0), 0)
            / pl.max_horizontal(pl.col("cash_sales_cents").fill_null(0), 1)
        ).alias("short_cash_share"),
        (pl.col("override_lines").fill_null(0) / sales).alias("override_lines_per_sale"),
        (pl.col("quick_cash_refunds").fill_null(0) / sales).alias("cash_refunds_within_hour"),
        pl.col("minutes_outside_hours").fill_null(0.0),
        pl.col("max_transaction_score").fill_null(0.0),
        pl.col("mean_transaction_score").fill_null(0.0),
    ).with_columns(pl.col(name).cast(pl.Float64) for name in SHIFT_FEATURES)
