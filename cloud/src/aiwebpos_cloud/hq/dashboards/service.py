"""HQ's dashboards: one function each, a DuckDB connection and `Filters` in, Polars frames out.

The connection is best made with `dashboards.connect(lakehouse)` (the rollups make a year of the chain
answer in well under a second); a bare `query.connect` connection works too, computing every day from
the derived tables (seconds to tens of seconds for a year of a large chain). Money columns end in `_cents` (integer lisente); units are decimals (kg for weighed
items); shares and rates are fractions (0.25 is 25 %).
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import duckdb
import polars as pl

from aiwebpos_cloud.hq.dashboards import queries
from aiwebpos_cloud.hq.dashboards.filters import Filters, parameters
from aiwebpos_cloud.hq.dashboards.views import ensure_views, rolled_through

_PARAMETER = re.compile(r"\$([a-z_]+)")
_RANKED_COLUMNS = (
    "sku",
    "name",
    "category",
    "lines",
    "units",
    "sales_cents",
    "refund_cents",
    "revenue_cents",
)


def run(connection: duckdb.DuckDBPyConnection, sql: str, filters: Filters, **extra: Any) -> pl.DataFrame:
    """One dashboard query on `connection` (made ready for the dashboards if it is not)."""
    ensure_views(connection)
    bound = bound_parameters(connection, sql, filters, **extra)
    frame = pl.from_arrow(connection.sql(sql, params=bound).to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def bound_parameters(
    connection: duckdb.DuckDBPyConnection, sql: str, filters: Filters, **extra: Any
) -> dict[str, Any]:
    """The values of the parameters `sql` names, and only those (DuckDB refuses unused ones)."""
    given = parameters(filters, rolled_through(connection)) | extra
    return {name: given[name] for name in set(_PARAMETER.findall(sql))}


def sales_today(connection: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per store: the day `filters.date_to` (receipts, sales, refunds, net sales) beside the same weekday
    a week before, and the change in net sales (None when that day sold nothing). `date_from` is not
    used; with a category, only its lines count (receipts: those with a line of it)."""
    week_before = filters.date_to - timedelta(days=7)
    return run(connection, queries.SALES_TODAY, filters.with_period(week_before, filters.date_to))


def sales_by_hour(
    connection: duckdb.DuckDBPyConnection, filters: Filters, *, per_store: bool = False
) -> pl.DataFrame:
    """Per local hour of the day (0–23; per store too when `per_store`): receipts, lines, units, sales
    and the hour's share of the sales."""
    frame = run(connection, queries.SALES_BY_HOUR, filters, per_store=per_store)
    return frame if per_store else frame.drop("store_id")


def sales_by_category(connection: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per category, largest first: receipts with it, lines, units, sales, refunds, net sales and share."""
    return run(connection, queries.SALES_BY_CATEGORY, filters)


@dataclass(frozen=True)
class ProductRanking:
    top: pl.DataFrame
    bottom: pl.DataFrame


def product_ranking(
    connection: duckdb.DuckDBPyConnection,
    filters: Filters,
    n: int = 10,
    by: Literal["revenue", "units"] = "revenue",
) -> ProductRanking:
    """The `n` best and `n` worst products by net revenue (or net units) in the period. Every product on
    the catalog during the period is ranked, so the bottom shows what did not sell at all."""
    if n < 1:
        raise ValueError(f"rank at least one product (n={n})")
    ranked = run(connection, queries.PRODUCT_RANKING, filters, n=n, by_units=by == "units")

    def end(rank: str) -> pl.DataFrame:
        chosen = ranked.filter(pl.col(rank) <= n).sort(rank)
        return chosen.select(pl.col(rank).alias("rank"), *_RANKED_COLUMNS)

    return ProductRanking(top=end("top_rank"), bottom=end("bottom_rank"))


def basket_stats(connection: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per store and day: receipts, lines and units per receipt, average and median receipt value."""
    return run(connection, queries.BASKETS, filters)


def tender_mix(connection: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per tender (cash_lsl, cash_zar, card, mobile_money, account): payments and the value taken (cash
    LSL net of the change given), refunds paid out with it, and each tender's share of value and count."""
    return run(connection, queries.TENDER_MIX, filters)


def vat_collected(connection: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per VAT class and rate: gross, net and VAT from the receipts' VAT breakdown, net of credit notes,
    with the invoices' and the credit notes' VAT beside."""
    return run(connection, queries.VAT, filters)


def cashier_activity(connection: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per store and cashier: sales, voided lines, refunds, discounted receipts, no-sales and cancelled
    sales, each also as a rate per sale (per receipt the cashier completed)."""
    return run(connection, queries.CASHIERS, filters)


def forecast_vs_actual(connection: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """Per day of the period with forecasts (the `forecasts` output table): the units forecast for the
    chosen stores and category beside the units sold net of returns, the error and the WAPE; the actual
    columns are None for days not known yet. Empty when no forecast covers the period."""
    return run(connection, queries.FORECAST_VS_ACTUAL, forecast_period(connection, filters))


def forecast_period(connection: duckdb.DuckDBPyConnection, filters: Filters) -> Filters:
    """The part of the period that forecasts cover (they span 28 days): actual sales are only read for
    it, not for a whole year of the chain. A period they miss becomes one day without forecasts."""
    first, last = connection.execute(queries.FORECAST_SPAN).fetchall()[0]
    if not isinstance(first, date) or not isinstance(last, date):
        return filters.with_period(filters.date_from, filters.date_from)
    date_from, date_to = max(filters.date_from, first), min(filters.date_to, last)
    if date_from > date_to:
        return filters.with_period(filters.date_from, filters.date_from)
    return filters.with_period(date_from, date_to)


def fraud_alerts(
    connection: duckdb.DuckDBPyConnection,
    filters: Filters,
    *,
    status: str | None = "open",
    limit: int = 200,
) -> pl.DataFrame:
    """The fraud model's alerts in the period (all statuses when `status` is None), highest score first,
    with their reasons and the local time of what they flag."""
    return run(connection, queries.FRAUD_ALERTS, filters, status=status, limit=limit)
