"""All the DuckDB SQL of HQ's dashboards: the daily aggregates (`DAILY`) and the dashboards over them.

Each daily aggregate is one SELECT over the `scoped_*` views of the derived tables (see `views.py`) for
the local days `$day_from`…`$day_to`. The same SELECT builds the rollup tables (`rollups.py`, month by
month) and, at query time, computes the days the rollups do not hold yet (the "tail": today, and any
day after the rollups' `through`). A dashboard reads `hq_<name>` up to `$rolled_to` and the tail from
`$day_from` on, so its answer is the same whether the rollups are built or not — only faster.

Every value a user chooses is a bound parameter (`$name`); the only text put into SQL here is ours.

Local time: the tables hold UTC instants; Lesotho is UTC+2 all year. DuckDB's ICU extension is
statically linked in the installed wheel (nothing is downloaded), so `AT TIME ZONE 'Africa/Maseru'` is
used rather than a fixed offset, and stays right should Lesotho ever change its clock. A local day D
starts at 22:00 UTC on D - 1, so the UTC `date` partitions of local days A…B are A - 1…B.
"""

from aiwebpos_cloud.hq.dashboards.filters import ZONE_NAME

LOCAL_TIME = f"(occurred_at AT TIME ZONE '{ZONE_NAME}')"
LOCAL_DAY = f"CAST({LOCAL_TIME} AS DATE)"
STORES_CHOSEN = "($stores IS NULL OR list_contains($stores, store_id))"
# rows of the chosen stores whose UTC partition can hold the local days $day_from…$day_to
IN_SCOPE = f"date BETWEEN $day_from - 1 AND $day_to AND {STORES_CHOSEN}"
DAYS_IN_SCOPE = "day BETWEEN $day_from AND $day_to"

# Lines sold and lines returned, side by side: what the hourly and the SKU aggregates add up.
_MOVES = f"""
    moves AS (
        SELECT store_id, {LOCAL_TIME} AS local_time, sku, event_id AS sale, NULL::VARCHAR AS refund,
               quantity AS units_sold, total_cents AS sales_cents,
               0::DECIMAL(18, 3) AS units_returned, 0::BIGINT AS refund_cents
        FROM scoped_sale_lines WHERE {IN_SCOPE}
        UNION ALL
        SELECT store_id, {LOCAL_TIME}, sku, NULL, event_id, 0, 0, quantity, refund_cents
        FROM scoped_return_lines WHERE {IN_SCOPE}
    ),
    local_moves AS (
        SELECT *, CAST(local_time AS DATE) AS day, hour(local_time)::INTEGER AS hour FROM moves
    )
"""

DAILY = {
    # per store, local day and hour: each category, and (category NULL) all of them together, since
    # receipts are not additive over categories (one receipt holds several)
    "hourly": f"""
        WITH {_MOVES},
        categorised AS (
            SELECT m.*, coalesce(p.category, 'Uncategorised') AS category
            FROM local_moves m LEFT JOIN products p USING (sku)
            WHERE {DAYS_IN_SCOPE}
        )
        SELECT store_id, day, hour, category,
               count(DISTINCT sale)::BIGINT AS receipts, count(sale)::BIGINT AS lines,
               sum(units_sold)::DECIMAL(18, 3) AS units_sold, sum(sales_cents)::BIGINT AS sales_cents,
               count(DISTINCT refund)::BIGINT AS returns,
               sum(units_returned)::DECIMAL(18, 3) AS units_returned, sum(refund_cents)::BIGINT AS refund_cents
        FROM categorised
        GROUP BY GROUPING SETS ((store_id, day, hour, category), (store_id, day, hour))
    """,
    "sku_days": f"""
        WITH {_MOVES}
        SELECT store_id, day, sku, count(sale)::BIGINT AS lines,
               sum(units_sold)::DECIMAL(18, 3) AS units_sold, sum(sales_cents)::BIGINT AS sales_cents,
               sum(units_returned)::DECIMAL(18, 3) AS units_returned, sum(refund_cents)::BIGINT AS refund_cents
        FROM local_moves WHERE {DAYS_IN_SCOPE}
        GROUP BY store_id, day, sku
    """,
    # the median is not additive: it is kept per store and day, the grain the basket dashboard shows
    "baskets": f"""
        WITH receipts AS (
            SELECT store_id, {LOCAL_DAY} AS day, line_count, total_cents FROM scoped_sales WHERE {IN_SCOPE}
        ),
        units AS (
            SELECT store_id, {LOCAL_DAY} AS day, sum(quantity) AS units
            FROM scoped_sale_lines WHERE {IN_SCOPE} GROUP BY ALL
        )
        SELECT r.store_id, r.day, count(*)::BIGINT AS receipts, sum(r.line_count)::BIGINT AS lines,
               coalesce(any_value(u.units), 0)::DECIMAL(18, 3) AS units,
               sum(r.total_cents)::BIGINT AS sales_cents,
               round(median(r.total_cents))::BIGINT AS median_basket_cents
        FROM receipts r LEFT JOIN units u USING (store_id, day)
        WHERE r.{DAYS_IN_SCOPE}
        GROUP BY r.store_id, r.day
    """,
    # what each tender brought in: cash is tendered in notes and change is given in LSL cash, so the
    # change of every sale is taken off cash LSL; refunds of credit notes go out by their method
    "tenders": f"""
        WITH flows AS (
            SELECT store_id, {LOCAL_DAY} AS day,
                   CASE WHEN method = 'cash' THEN 'cash_' || lower(currency) ELSE method END AS tender,
                   CASE WHEN document = 'credit_note' THEN 0 ELSE 1 END AS payments,
                   CASE WHEN document = 'credit_note' THEN 0 ELSE amount_cents END AS tendered_cents,
                   0 AS change_cents,
                   CASE WHEN document = 'credit_note' THEN 1 ELSE 0 END AS refunds,
                   CASE WHEN document = 'credit_note' THEN -amount_cents ELSE 0 END AS refund_cents
            FROM scoped_payments WHERE {IN_SCOPE}
            UNION ALL
            SELECT store_id, {LOCAL_DAY}, 'cash_lsl', 0, 0, change_cents, 0, 0
            FROM scoped_sales WHERE {IN_SCOPE} AND change_cents <> 0
        )
        SELECT store_id, day, tender, sum(payments)::BIGINT AS payments,
               sum(tendered_cents)::BIGINT AS tendered_cents, sum(change_cents)::BIGINT AS change_cents,
               sum(refunds)::BIGINT AS refunds, sum(refund_cents)::BIGINT AS refund_cents
        FROM flows WHERE {DAYS_IN_SCOPE}
        GROUP BY store_id, day, tender
    """,
    "vat": f"""
        SELECT * FROM (
            SELECT store_id, {LOCAL_DAY} AS day, vat_class, rate, document, count(*)::BIGINT AS documents,
                   sum(gross_cents)::BIGINT AS gross_cents, sum(net_cents)::BIGINT AS net_cents,
                   sum(vat_cents)::BIGINT AS vat_cents
            FROM scoped_receipt_vat WHERE {IN_SCOPE}
            GROUP BY ALL
        ) WHERE {DAYS_IN_SCOPE}
    """,
    "cashiers": f"""
        WITH activity AS (
            SELECT store_id, {LOCAL_DAY} AS day, cashier, 1 AS receipts, total_cents AS sales_cents,
                   voided_count AS voided_lines, voided_cents,
                   CASE WHEN discount_cents > 0 THEN 1 ELSE 0 END AS discounted_receipts, discount_cents
            FROM scoped_sales WHERE {IN_SCOPE}
            UNION ALL BY NAME
            SELECT store_id, {LOCAL_DAY} AS day, cashier, 1 AS refunds, refund_cents
            FROM scoped_returns WHERE {IN_SCOPE}
            UNION ALL BY NAME
            SELECT store_id, {LOCAL_DAY} AS day, cashier, 1 AS no_sales
            FROM scoped_drawer_openings WHERE {IN_SCOPE}
            UNION ALL BY NAME
            SELECT store_id, {LOCAL_DAY} AS day, cashier, 1 AS cancelled_sales, total_cents AS cancelled_cents
            FROM scoped_cancelled_sales WHERE {IN_SCOPE}
        )
        SELECT store_id, day, cashier,
               coalesce(sum(receipts), 0)::BIGINT AS receipts, coalesce(sum(sales_cents), 0)::BIGINT AS sales_cents,
               coalesce(sum(voided_lines), 0)::BIGINT AS voided_lines,
               coalesce(sum(voided_cents), 0)::BIGINT AS voided_cents,
               coalesce(sum(discounted_receipts), 0)::BIGINT AS discounted_receipts,
               coalesce(sum(discount_cents), 0)::BIGINT AS discount_cents,
               coalesce(sum(refunds), 0)::BIGINT AS refunds, coalesce(sum(refund_cents), 0)::BIGINT AS refund_cents,
               coalesce(sum(no_sales), 0)::BIGINT AS no_sales,
               coalesce(sum(cancelled_sales), 0)::BIGINT AS cancelled_sales,
               coalesce(sum(cancelled_cents), 0)::BIGINT AS cancelled_cents
        FROM activity WHERE {DAYS_IN_SCOPE}
        GROUP BY store_id, day, cashier
    """,
}


def daily(name: str) -> str:
    """The CTE `name`: the rollup `hq_<name>` up to $rolled_to, then the tail computed live."""
    return f"""
    {name} AS (
        SELECT * EXCLUDE (month) FROM hq_{name}
        WHERE month BETWEEN date_trunc('month', $date_from) AND $rolled_to
          AND day BETWEEN $date_from AND $rolled_to AND {STORES_CHOSEN}
        UNION ALL BY NAME
        ({DAILY[name]})
    )"""


SALES_TODAY = f"""
    WITH {daily("hourly")},
    days AS (
        SELECT store_id, day, sum(receipts)::BIGINT AS receipts, sum(sales_cents)::BIGINT AS sales_cents,
               sum(refund_cents)::BIGINT AS refund_cents
        FROM hourly
        WHERE category IS NOT DISTINCT FROM $category AND day IN ($date_from, $date_to)
        GROUP BY store_id, day
    ),
    chosen_stores AS (
        SELECT store_id FROM stores WHERE {STORES_CHOSEN} AND opened_on <= $date_to
        UNION SELECT store_id FROM days
    ),
    compared AS (
        SELECT s.store_id, coalesce(t.receipts, 0) AS receipts, coalesce(t.sales_cents, 0) AS sales_cents,
               coalesce(t.refund_cents, 0) AS refund_cents,
               coalesce(w.receipts, 0) AS last_week_receipts,
               coalesce(w.sales_cents, 0) - coalesce(w.refund_cents, 0) AS last_week_net_sales_cents
        FROM chosen_stores s
        LEFT JOIN days t ON t.store_id = s.store_id AND t.day = $date_to
        LEFT JOIN days w ON w.store_id = s.store_id AND w.day = $date_from
    )
    SELECT store_id, $date_to AS day, receipts, sales_cents, refund_cents,
           sales_cents - refund_cents AS net_sales_cents,
           $date_from AS last_week_day, last_week_receipts, last_week_net_sales_cents,
           (sales_cents - refund_cents - last_week_net_sales_cents) / nullif(last_week_net_sales_cents, 0)
               AS change
    FROM compared ORDER BY store_id
"""

SALES_BY_HOUR = f"""
    WITH {daily("hourly")},
    hours AS (
        SELECT CASE WHEN $per_store THEN store_id END AS store_id, hour,
               sum(receipts)::BIGINT AS receipts, sum(lines)::BIGINT AS lines,
               sum(units_sold)::DECIMAL(18, 3) AS units, sum(sales_cents)::BIGINT AS sales_cents
        FROM hourly WHERE category IS NOT DISTINCT FROM $category
        GROUP BY 1, 2
    )
    SELECT *, sales_cents / sum(sales_cents) OVER (PARTITION BY store_id) AS share
    FROM hours ORDER BY store_id, hour
"""

SALES_BY_CATEGORY = f"""
    WITH {daily("hourly")},
    categories AS (
        SELECT category, sum(receipts)::BIGINT AS receipts, sum(lines)::BIGINT AS lines,
               sum(units_sold)::DECIMAL(18, 3) AS units_sold, sum(sales_cents)::BIGINT AS sales_cents,
               sum(refund_cents)::BIGINT AS refund_cents,
               (sum(sales_cents) - sum(refund_cents))::BIGINT AS net_sales_cents
        FROM hourly
        WHERE category IS NOT NULL AND ($category IS NULL OR category = $category)
        GROUP BY category
    )
    SELECT *, net_sales_cents / sum(net_sales_cents) OVER () AS share
    FROM categories ORDER BY net_sales_cents DESC, category
"""

# Every product on the catalog during the period competes, so the bottom of the ranking shows what did
# not sell at all; SKUs sold but missing from the catalog count too.
PRODUCT_RANKING = f"""
    WITH {daily("sku_days")},
    sold AS (
        SELECT sku, sum(lines) AS lines, sum(units_sold) AS units_sold, sum(units_returned) AS units_returned,
               sum(sales_cents) AS sales_cents, sum(refund_cents) AS refund_cents
        FROM sku_days GROUP BY sku
    ),
    catalog AS (
        SELECT sku, name, category FROM products
        WHERE introduced_on <= $date_to AND (discontinued_on IS NULL OR discontinued_on >= $date_from)
    ),
    candidates AS (
        SELECT coalesce(c.sku, s.sku) AS sku, c.name, coalesce(c.category, 'Uncategorised') AS category,
               coalesce(s.lines, 0)::BIGINT AS lines,
               (coalesce(s.units_sold, 0) - coalesce(s.units_returned, 0))::DECIMAL(18, 3) AS units,
               coalesce(s.sales_cents, 0)::BIGINT AS sales_cents,
               coalesce(s.refund_cents, 0)::BIGINT AS refund_cents,
               (coalesce(s.sales_cents, 0) - coalesce(s.refund_cents, 0))::BIGINT AS revenue_cents
        FROM catalog c FULL JOIN sold s ON s.sku = c.sku
    ),
    ranked AS (
        SELECT *,
               row_number() OVER (ORDER BY CASE WHEN $by_units THEN units ELSE revenue_cents END DESC, sku)
                   AS top_rank,
               row_number() OVER (ORDER BY CASE WHEN $by_units THEN units ELSE revenue_cents END ASC, sku)
                   AS bottom_rank
        FROM candidates WHERE $category IS NULL OR category = $category
    )
    SELECT * FROM ranked WHERE top_rank <= $n OR bottom_rank <= $n
"""

BASKETS = f"""
    WITH {daily("baskets")}
    SELECT store_id, day, receipts, lines / receipts AS lines_per_receipt,
           units::DOUBLE / receipts AS units_per_receipt,
           round(sales_cents / receipts)::BIGINT AS average_basket_cents, median_basket_cents
    FROM baskets ORDER BY store_id, day
"""

TENDER_MIX = f"""
    WITH {daily("tenders")},
    mix AS (
        SELECT tender, sum(payments)::BIGINT AS payments,
               sum(tendered_cents - change_cents)::BIGINT AS value_cents,
               sum(refunds)::BIGINT AS refunds, sum(refund_cents)::BIGINT AS refund_cents
        FROM tenders GROUP BY tender
    )
    SELECT tender, payments, value_cents, refunds, refund_cents, value_cents - refund_cents AS net_cents,
           value_cents / sum(value_cents) OVER () AS value_share,
           payments / sum(payments) OVER () AS count_share
    FROM mix
    ORDER BY list_position(['cash_lsl', 'cash_zar', 'card', 'mobile_money', 'account'], tender) NULLS LAST,
             tender
"""

# Credit notes carry negative amounts, so plain sums are net of returns.
VAT = f"""
    WITH {daily("vat")}
    SELECT vat_class, rate,
           coalesce(sum(documents) FILTER (WHERE document <> 'credit_note'), 0)::BIGINT AS invoices,
           coalesce(sum(documents) FILTER (WHERE document = 'credit_note'), 0)::BIGINT AS credit_notes,
           sum(gross_cents)::BIGINT AS gross_cents, sum(net_cents)::BIGINT AS net_cents,
           sum(vat_cents)::BIGINT AS vat_cents,
           coalesce(sum(vat_cents) FILTER (WHERE document <> 'credit_note'), 0)::BIGINT AS invoice_vat_cents,
           coalesce(sum(vat_cents) FILTER (WHERE document = 'credit_note'), 0)::BIGINT AS credit_note_vat_cents
    FROM vat GROUP BY vat_class, rate
    ORDER BY list_position(['standard', 'reduced', 'zero', 'exempt'], vat_class) NULLS LAST, vat_class, rate
"""

CASHIERS = f"""
    WITH {daily("cashiers")},
    totals AS (
        SELECT store_id, cashier, sum(receipts)::BIGINT AS receipts, sum(sales_cents)::BIGINT AS sales_cents,
               sum(voided_lines)::BIGINT AS voided_lines, sum(voided_cents)::BIGINT AS voided_cents,
               sum(refunds)::BIGINT AS refunds, sum(refund_cents)::BIGINT AS refund_cents,
               sum(discounted_receipts)::BIGINT AS discounted_receipts,
               sum(discount_cents)::BIGINT AS discount_cents,
               sum(no_sales)::BIGINT AS no_sales, sum(cancelled_sales)::BIGINT AS cancelled_sales,
               sum(cancelled_cents)::BIGINT AS cancelled_cents
        FROM cashiers GROUP BY store_id, cashier
    )
    SELECT *, voided_lines / nullif(receipts, 0) AS voids_per_sale,
           refunds / nullif(receipts, 0) AS refunds_per_sale,
           discounted_receipts / nullif(receipts, 0) AS discount_rate,
           no_sales / nullif(receipts, 0) AS no_sales_per_sale,
           cancelled_sales / nullif(receipts, 0) AS cancelled_per_sale
    FROM totals ORDER BY store_id, cashier
"""

# Actual demand as the forecasting model counts it: units sold net of returns, never below zero, per
# store, SKU and day. A day after the last day with any sale of the chosen stores is not known yet.
FORECAST_VS_ACTUAL = f"""
    WITH {daily("sku_days")},
    actual AS (
        SELECT store_id, sku, day, greatest(units_sold - units_returned, 0) AS units FROM sku_days
    ),
    forecast AS (
        SELECT f.store_id, f.sku, f.date AS day, f.forecast
        FROM forecasts f LEFT JOIN products p ON p.sku = f.sku
        WHERE f.date BETWEEN $date_from AND $date_to AND {STORES_CHOSEN}
          AND ($category IS NULL OR p.category = $category)
    ),
    compared AS (
        SELECT f.day, f.forecast, coalesce(a.units, 0)::DOUBLE AS actual,
               f.day <= (SELECT max(day) FROM actual) AS known
        FROM forecast f LEFT JOIN actual a USING (store_id, sku, day)
    )
    SELECT day, count(*)::BIGINT AS series, sum(forecast) AS forecast_units,
           CASE WHEN bool_and(known) THEN sum(actual) END AS actual_units,
           CASE WHEN bool_and(known) THEN sum(forecast - actual) END AS error_units,
           CASE WHEN bool_and(known) THEN sum(abs(forecast - actual)) END AS abs_error_units,
           CASE WHEN bool_and(known) THEN sum(abs(forecast - actual)) / nullif(sum(actual), 0) END AS wape
    FROM compared GROUP BY day ORDER BY day
"""

FRAUD_ALERTS = f"""
    SELECT kind, ref, store_id, shift_id, cashier, occurred_at, {LOCAL_TIME} AS local_time, score, reasons,
           model, model_version, status
    FROM fraud_alerts
    WHERE {STORES_CHOSEN} AND ($status IS NULL OR status = $status)
      AND (occurred_at IS NULL OR {LOCAL_DAY} BETWEEN $date_from AND $date_to)
    ORDER BY score DESC, occurred_at DESC NULLS LAST, ref
    LIMIT $limit
"""

# what the rollups' categories depend on: a product moved to another category rebuilds them all
CATALOG_FINGERPRINT = """
    SELECT coalesce(hash(string_agg(sku || chr(31) || category, chr(30) ORDER BY sku)), 0)::VARCHAR
    FROM products
"""
FORECAST_SPAN = "SELECT min(date), max(date) FROM forecasts"
ROLLED_THROUGH = "SELECT max(through) FROM hq_rollup_state"
