"""The dashboards the HQ page shows: each one's name (in its URL), title, how to draw it, and the query
layer's function that computes it (`hq.dashboards`), reduced to one frame."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import duckdb
import msgspec
import polars as pl

from aiwebpos_cloud.hq import dashboards
from aiwebpos_cloud.hq.dashboards import Filters


class Chart(msgspec.Struct, frozen=True):
    """How the page draws a dashboard's rows.

    `x`: the columns that name a bar or a point (joined with " · "); `y`: the columns drawn (one bar or
    line each; money when they end in `_cents`); `series`: a column whose values split the rows into
    lines; `facet`: a column whose values split the rows into charts side by side. A `table` shows
    every column, with the `y` columns as bars inside their cells."""

    kind: Literal["bar", "grouped_bar", "horizontal_bar", "line", "table"]
    x: tuple[str, ...]
    y: tuple[str, ...]
    series: str | None = None
    facet: str | None = None


@dataclass(frozen=True)
class Dashboard:
    name: str
    title: str
    chart: Chart
    compute: Callable[[duckdb.DuckDBPyConnection, Filters], pl.DataFrame]


def top_and_bottom_products(connection: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    """The product ranking as one frame (one download): `end` says which end of it a row is."""
    ranking = dashboards.product_ranking(connection, filters)
    ends = [ranking.top.with_columns(end=pl.lit("top")), ranking.bottom.with_columns(end=pl.lit("bottom"))]
    return pl.concat(ends).select("end", pl.exclude("end"))


# what a cashier's table shows as bars: the receipts for scale, then the exceptions worth a look
CASHIER_BARS = ("receipts", "voided_lines", "refunds", "discounted_receipts", "no_sales", "cancelled_sales")
ALERT_COLUMNS = ("store_id", "cashier", "kind", "ref", "local_time", "reasons")

DASHBOARDS = {
    dashboard.name: dashboard
    for dashboard in (
        Dashboard(
            "sales_today",
            "Net sales on the last day vs the same weekday a week before",
            Chart("grouped_bar", ("store_id",), ("net_sales_cents", "last_week_net_sales_cents")),
            dashboards.sales_today,
        ),
        Dashboard(
            "sales_by_hour",
            "Sales by hour of the day",
            Chart("bar", ("hour",), ("sales_cents",)),
            dashboards.sales_by_hour,
        ),
        Dashboard(
            "sales_by_category",
            "Net sales by category",
            Chart("bar", ("category",), ("net_sales_cents",)),
            dashboards.sales_by_category,
        ),
        Dashboard(
            "product_ranking",
            "Top and bottom products by net revenue",
            Chart("horizontal_bar", ("sku", "name"), ("revenue_cents",), facet="end"),
            top_and_bottom_products,
        ),
        Dashboard(
            "basket_stats",
            "Average basket value per day",
            Chart("line", ("day",), ("average_basket_cents",), series="store_id"),
            dashboards.basket_stats,
        ),
        Dashboard(
            "tender_mix", "Tender mix", Chart("bar", ("tender",), ("value_cents",)), dashboards.tender_mix
        ),
        Dashboard(
            "vat_collected",
            "VAT collected by class",
            Chart("bar", ("vat_class", "rate"), ("vat_cents",)),
            dashboards.vat_collected,
        ),
        Dashboard(
            "cashier_activity",
            "Cashier exceptions",
            Chart("table", ("store_id", "cashier"), CASHIER_BARS),
            dashboards.cashier_activity,
        ),
        Dashboard(
            "forecast_vs_actual",
            "Forecast vs actual units",
            Chart("line", ("day",), ("forecast_units", "actual_units")),
            dashboards.forecast_vs_actual,
        ),
        Dashboard(
            "fraud_alerts",
            "Open fraud alerts, highest score first",
            Chart("table", ALERT_COLUMNS, ("score",)),
            dashboards.fraud_alerts,
        ),
    )
}
