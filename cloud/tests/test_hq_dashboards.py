"""HQ's dashboards: every figure checked against the same figure computed here with Polars from the Delta
tables themselves (read with deltalake, not DuckDB), over a generated chain plus a store trading past
local midnight. Each dashboard runs twice: on a bare `query.connect` connection (every day computed
live) and on `dashboards.connect` with rollups built through the middle of the period (rollups, then
the live tail), and must give the same answer both ways."""

import asyncio
import io
import shutil
import statistics
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner
from cloud_factories import Store
from cloud_support import derive
from deltalake import DeltaTable, write_deltalake
from polars.testing import assert_frame_equal

from aiwebpos_cloud.cli import main
from aiwebpos_cloud.hq import dashboards
from aiwebpos_cloud.hq.dashboards import Filters
from aiwebpos_cloud.hq.dashboards.rollups import read_state
from aiwebpos_cloud.hq.dashboards.schedule import RollupSchedule
from aiwebpos_cloud.hq.dashboards.tables import ROLLUP_STATE
from aiwebpos_cloud.lakehouse.outputs import FORECASTS, FRAUD_ALERTS
from aiwebpos_cloud.lakehouse.query import connect as connect_lakehouse
from aiwebpos_cloud.lakehouse.tables import PRODUCTS as PRODUCTS_SPEC
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter
from aiwebpos_pipelines.history import generate_history

ZONE = "Africa/Maseru"
END = date(2025, 11, 9)  # the generated chain's last day (15 days: 26 Oct … 9 Nov)
ROLLED_THROUGH = date(2025, 11, 4)  # rollups hold up to here; later days come live from the tables
PERIOD = Filters(date(2025, 11, 1), date(2025, 11, 8))
TWO_STORES = Filters(date(2025, 10, 28), END, store_ids=["MSU-01", "NT-09"])
NIGHT_STORE = "NT-09"
# 23:59:47 local on 3 Nov: the store's events go on past local midnight, still on UTC date 3 Nov
NIGHT_START = datetime(2025, 11, 3, 21, 59, 40, tzinfo=UTC)


@dataclass(frozen=True)
class Chain:
    lakehouse: Path
    tables: dict[str, pl.DataFrame]

    def local(self, name: str, filters: Filters | None = None) -> pl.DataFrame:
        """Rows of `name` with their local day and hour, of the filters' stores and days when given."""
        local_time = pl.col("occurred_at").dt.convert_time_zone(ZONE)
        rows = self.tables[name].with_columns(day=local_time.dt.date(), hour=local_time.dt.hour())
        if filters is None:
            return rows
        rows = rows.filter(pl.col("day").is_between(filters.date_from, filters.date_to))
        if filters.store_ids is not None:
            rows = rows.filter(pl.col("store_id").is_in(list(filters.store_ids)))
        return rows

    def categorised(self, name: str, filters: Filters) -> pl.DataFrame:
        products = self.tables["products"].select("sku", "category")
        rows = self.local(name, filters).join(products, on="sku", how="left")
        return rows.with_columns(pl.col("category").fill_null("Uncategorised"))


def _table(lakehouse: Path, name: str) -> pl.DataFrame:
    frame = pl.from_arrow(DeltaTable(str(lakehouse / name)).to_pyarrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame


def _night_store_events() -> list[Any]:
    store = Store(NIGHT_STORE, start=NIGHT_START)
    return [*store.day(sales=3), store.no_sale(), store.cancelled_sale()]


def _forecasts(lakehouse: Path, lines: pl.DataFrame) -> pl.DataFrame:
    """Forecasts for 6 Nov … 12 Nov of every store × SKU sold in the last week (the last 3 days not known
    yet), each a different number so that a wrong join shows."""
    series = (
        lines.filter(pl.col("date") >= date(2025, 11, 3))
        .select("store_id", "sku")
        .unique()
        .sort("store_id", "sku")
    )
    days = pl.DataFrame({"date": [date(2025, 11, 6) + timedelta(days=i) for i in range(7)]})
    rows = (
        series.join(days, how="cross")
        .with_row_index("i")
        .with_columns(
            forecast=(pl.col("i") % 7).cast(pl.Float64) * 0.5,
            origin=pl.lit(date(2025, 11, 5)),
            model=pl.lit("aiwebpos-forecast"),
            model_version=pl.lit("3"),
        )
    )
    write_deltalake(
        str(FORECASTS.path(lakehouse)), rows.select(FORECASTS.schema.names).to_arrow().cast(FORECASTS.schema)
    )
    return rows


def _fraud_alerts(lakehouse: Path) -> None:
    at = datetime(2025, 11, 5, 10, 0, tzinfo=UTC)
    alerts = [  # ref, kind, store, cashier, hours after `at`, score, status, reasons
        ("R1", "sale", "MSU-01", "thabo.m", 0, 0.71, "open", "many voids"),
        ("CN1", "return", "MSU-01", "thabo.m", 1, 0.93, "open", "refund to another tender; no receipt"),
        ("S1", "shift", "TY-02", "neo.s", 0, 0.88, "open", "drawer opened often"),
        ("D1", "drawer", "MSU-01", "thabo.m", 0, 0.55, "dismissed", "no-sale"),
        ("R2", "sale", "MSU-01", "thabo.m", -240, 0.99, "open", "price override"),
        ("R3", "sale", "MSU-01", "lerato.l", 11, 0.97, "open", "sale after hours"),  # 23:00 local
        ("R4", "sale", "MSU-01", "lerato.l", 12.5, 0.98, "open", "after midnight"),  # 00:30 local, the 6th
    ]
    columns = ("ref", "kind", "store_id", "cashier", "hours", "score", "status", "reasons")
    rows = pl.DataFrame(alerts, schema=columns, orient="row").with_columns(
        occurred_at=pl.lit(at) + pl.duration(minutes=(pl.col("hours") * 60).cast(pl.Int64)),
        shift_id=pl.lit("s1"),
        model=pl.lit("aiwebpos-fraud"),
        model_version=pl.lit("4"),
    )
    table = rows.select(FRAUD_ALERTS.schema.names).to_arrow().cast(FRAUD_ALERTS.schema)
    write_deltalake(str(FRAUD_ALERTS.path(lakehouse)), table)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    lakehouse = tmp_path_factory.mktemp("hq") / "lakehouse"
    generate_history(lakehouse, stores=3, days=15, skus=60, seed=5, end=END, workers=1)
    LakehouseWriter(lakehouse).write(_night_store_events())
    derive(lakehouse)
    names = ("sales", "sale_lines", "payments", "receipt_vat", "returns", "return_lines")
    tables = {name: _table(lakehouse, name) for name in (*names, "drawer_openings", "cancelled_sales")}
    tables |= {name: _table(lakehouse, name) for name in ("products", "stores")}
    tables["forecasts"] = _forecasts(lakehouse, tables["sale_lines"])
    _fraud_alerts(lakehouse)
    dashboards.refresh_rollups(lakehouse, through=ROLLED_THROUGH)
    return Chain(lakehouse, tables)


@pytest.fixture(params=["live", "rolled"])
def connection(request: pytest.FixtureRequest, chain: Chain) -> Iterator[duckdb.DuckDBPyConnection]:
    connect = connect_lakehouse if request.param == "live" else dashboards.connect
    opened = connect(chain.lakehouse)
    yield opened
    opened.close()


def rows(frame: pl.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    return sorted(frame.select(columns).iter_rows(), key=repr)


def half_up(value: Decimal | float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_sales_today_compares_the_day_with_the_same_weekday_a_week_before(
    chain: Chain, connection: duckdb.DuckDBPyConnection
) -> None:
    today = date(2025, 11, 8)
    answer = dashboards.sales_today(connection, Filters(date(2025, 11, 1), today))
    week = Filters(today - timedelta(days=7), today)
    sold = (
        chain.local("sale_lines", week)
        .group_by("store_id", "day")
        .agg(receipts=pl.col("event_id").n_unique(), sales=pl.col("total_cents").sum())
    )
    refunded = (
        chain.local("return_lines", week)
        .group_by("store_id", "day")
        .agg(refunds=pl.col("refund_cents").sum())
    )
    days = sold.join(refunded, on=["store_id", "day"], how="full", coalesce=True).fill_null(0)

    def on(day: date, store: str) -> tuple[int, int, int]:
        found = days.filter((pl.col("day") == day) & (pl.col("store_id") == store))
        if found.is_empty():
            return (0, 0, 0)
        receipts, sales, refunds = found.select("receipts", "sales", "refunds").row(0)
        return int(receipts), int(sales), int(refunds)

    expected = []
    for store in ("MPT-03", "MSU-01", "TY-02"):  # the stores table's stores; NT-09 sold neither day
        receipts, sales, refunds = on(today, store)
        last_receipts, last_sales, last_refunds = on(today - timedelta(days=7), store)
        last_net = last_sales - last_refunds
        change = (sales - refunds - last_net) / last_net
        expected.append(
            (store, receipts, sales, refunds, sales - refunds, last_receipts, last_net, pytest.approx(change))
        )
    assert (
        rows(
            answer,
            "store_id",
            "receipts",
            "sales_cents",
            "refund_cents",
            "net_sales_cents",
            "last_week_receipts",
            "last_week_net_sales_cents",
            "change",
        )
        == expected
    )
    assert set(answer["day"]) == {today} and set(answer["last_week_day"]) == {today - timedelta(days=7)}


def test_sales_today_of_one_category_counts_only_its_lines_and_their_receipts(
    chain: Chain, connection: duckdb.DuckDBPyConnection
) -> None:
    today = date(2025, 11, 7)
    filters = Filters(today, today, store_ids=["TY-02"], category="Maize meal")
    answer = dashboards.sales_today(connection, filters)
    lines = chain.categorised("sale_lines", filters).filter(pl.col("category") == "Maize meal")
    refunds = chain.categorised("return_lines", filters).filter(pl.col("category") == "Maize meal")
    assert answer["store_id"].to_list() == ["TY-02"]
    assert answer.row(0, named=True)["receipts"] == lines["event_id"].n_unique()
    net = int(lines["total_cents"].sum()) - int(refunds["refund_cents"].sum())
    assert answer.row(0, named=True)["net_sales_cents"] == net


@pytest.mark.parametrize(
    "filters", [PERIOD, TWO_STORES, Filters(date(2025, 11, 2), END, category="Bread & bakery")]
)
def test_sales_by_hour_counts_each_receipt_in_its_local_hour(
    chain: Chain, connection: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    lines = chain.categorised("sale_lines", filters)
    if filters.category is not None:
        lines = lines.filter(pl.col("category") == filters.category)
    expected = lines.group_by("hour").agg(
        receipts=pl.col("event_id").n_unique(),
        lines=pl.len(),
        units=pl.col("quantity").sum(),
        sales=pl.col("total_cents").sum(),
    )
    answer = dashboards.sales_by_hour(connection, filters)
    assert rows(answer, "hour", "receipts", "lines", "units", "sales_cents") == rows(
        expected, "hour", "receipts", "lines", "units", "sales"
    )
    assert answer["share"].sum() == pytest.approx(1.0)


def test_sales_by_hour_per_store_splits_the_hours_by_store(
    chain: Chain, connection: duckdb.DuckDBPyConnection
) -> None:
    expected = (
        chain.local("sale_lines", TWO_STORES)
        .group_by("store_id", "hour")
        .agg(sales=pl.col("total_cents").sum())
    )
    answer = dashboards.sales_by_hour(connection, TWO_STORES, per_store=True)
    assert rows(answer, "store_id", "hour", "sales_cents") == rows(expected, "store_id", "hour", "sales")


def test_a_sale_after_local_midnight_counts_on_the_next_local_day_and_hour_zero(
    chain: Chain, connection: duckdb.DuckDBPyConnection
) -> None:
    night = chain.tables["sales"].filter(pl.col("store_id") == NIGHT_STORE)
    assert set(night["date"]) == {date(2025, 11, 3)}  # every event of it is on UTC date 3 Nov
    on_the_4th = dashboards.sales_by_hour(
        connection, Filters(date(2025, 11, 4), date(2025, 11, 4), store_ids=[NIGHT_STORE])
    )
    on_the_3rd = dashboards.sales_by_hour(
        connection, Filters(date(2025, 11, 3), date(2025, 11, 3), store_ids=[NIGHT_STORE])
    )
    assert on_the_4th["hour"].to_list() == [0] and on_the_4th["receipts"].to_list() == [
        4
    ]  # 3 sales + 1 of the return
    assert on_the_3rd.is_empty()


@pytest.mark.parametrize("filters", [PERIOD, TWO_STORES])
def test_sales_by_category_is_net_of_refunds(
    chain: Chain, connection: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    sold = (
        chain.categorised("sale_lines", filters)
        .group_by("category")
        .agg(
            receipts=pl.col("event_id").n_unique(),
            lines=pl.len(),
            units=pl.col("quantity").sum(),
            sales=pl.col("total_cents").sum(),
        )
    )
    refunded = (
        chain.categorised("return_lines", filters)
        .group_by("category")
        .agg(refunds=pl.col("refund_cents").sum())
    )
    expected = (
        sold.join(refunded, on="category", how="full", coalesce=True)
        .with_columns(
            pl.col("receipts", "lines", "sales", "refunds").fill_null(0),
            pl.col("units").fill_null(Decimal(0)),
        )
        .with_columns(net=pl.col("sales") - pl.col("refunds"))
    )
    answer = dashboards.sales_by_category(connection, filters)
    assert rows(
        answer,
        "category",
        "receipts",
        "lines",
        "units_sold",
        "sales_cents",
        "refund_cents",
        "net_sales_cents",
    ) == rows(expected, "category", "receipts", "lines", "units", "sales", "refunds", "net")
    assert answer["net_sales_cents"].to_list() == sorted(answer["net_sales_cents"].to_list(), reverse=True)
    assert answer["share"].sum() == pytest.approx(1.0)
    if filters.store_ids is not None:
        assert (
            "Uncategorised" in answer["category"].to_list()
        )  # the night store's SKUs are not on the catalog


def test_sales_by_category_of_one_category_is_that_category_alone(
    chain: Chain, connection: duckdb.DuckDBPyConnection
) -> None:
    answer = dashboards.sales_by_category(
        connection, Filters(PERIOD.date_from, PERIOD.date_to, category="Meat")
    )
    everything = dashboards.sales_by_category(connection, PERIOD)
    assert answer.drop("share").rows() == everything.filter(pl.col("category") == "Meat").drop("share").rows()


def _ranking(chain: Chain, filters: Filters) -> pl.DataFrame:
    sold = (
        chain.local("sale_lines", filters)
        .group_by("sku")
        .agg(units=pl.col("quantity").sum(), sales=pl.col("total_cents").sum())
    )
    back = (
        chain.local("return_lines", filters)
        .group_by("sku")
        .agg(returned=pl.col("quantity").sum(), refunds=pl.col("refund_cents").sum())
    )
    catalog = (
        chain.tables["products"]
        .filter(
            (pl.col("introduced_on") <= filters.date_to)
            & (pl.col("discontinued_on").is_null() | (pl.col("discontinued_on") >= filters.date_from))
        )
        .select("sku", "category")
    )
    ranked = (
        catalog.join(sold, on="sku", how="full", coalesce=True)
        .join(back, on="sku", how="left")
        .with_columns(
            pl.col("sales", "refunds").fill_null(0), pl.col("units", "returned").fill_null(Decimal(0))
        )
        .with_columns(
            revenue=pl.col("sales") - pl.col("refunds"), net_units=pl.col("units") - pl.col("returned")
        )
        .with_columns(pl.col("category").fill_null("Uncategorised"))
    )
    return ranked if filters.category is None else ranked.filter(pl.col("category") == filters.category)


@pytest.mark.parametrize(
    "filters", [PERIOD, TWO_STORES, Filters(PERIOD.date_from, PERIOD.date_to, category="Beverages")]
)
def test_product_ranking_has_the_best_sellers_on_top_and_the_unsold_at_the_bottom(
    chain: Chain, connection: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    expected = _ranking(chain, filters)
    answer = dashboards.product_ranking(connection, filters, n=4)
    top = expected.sort(["revenue", "sku"], descending=[True, False]).head(4)
    bottom = expected.sort(["revenue", "sku"]).head(4)
    assert (
        answer.top.select("sku", "revenue_cents", "units").rows()
        == top.select("sku", "revenue", "net_units").rows()
    )
    assert answer.bottom.select("sku", "revenue_cents").rows() == bottom.select("sku", "revenue").rows()
    assert answer.top["rank"].to_list() == [1, 2, 3, 4]


def test_product_ranking_by_units_orders_by_net_units(
    chain: Chain, connection: duckdb.DuckDBPyConnection
) -> None:
    expected = _ranking(chain, PERIOD).sort(["net_units", "sku"], descending=[True, False]).head(5)
    answer = dashboards.product_ranking(connection, PERIOD, n=5, by="units")
    assert answer.top.select("sku", "units").rows() == expected.select("sku", "net_units").rows()


def test_product_ranking_bottom_lists_catalog_products_that_sold_nothing(
    chain: Chain, connection: duckdb.DuckDBPyConnection
) -> None:
    one_day = Filters(date(2025, 11, 2), date(2025, 11, 2), store_ids=["TY-02"])
    unsold = sorted(set(_ranking(chain, one_day)["sku"]) - set(chain.local("sale_lines", one_day)["sku"]))
    assert unsold  # the fixture's chain leaves some of its catalog unsold at a store in a day
    bottom = dashboards.product_ranking(connection, one_day, n=len(unsold) + 1).bottom
    assert bottom["sku"].to_list()[:-1] == unsold
    assert bottom["revenue_cents"].to_list()[:-1] == [0] * len(unsold)
    assert bottom["revenue_cents"].to_list()[-1] > 0


@pytest.mark.parametrize("filters", [PERIOD, TWO_STORES])
def test_basket_stats_per_store_and_day(
    chain: Chain, connection: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    receipts = chain.local("sales", filters)
    units = chain.local("sale_lines", filters).group_by("store_id", "day").agg(units=pl.col("quantity").sum())
    expected = []
    for (store, day), group in receipts.group_by("store_id", "day"):
        totals = group["total_cents"].to_list()
        count = len(totals)
        day_units = units.filter((pl.col("store_id") == store) & (pl.col("day") == day))["units"].item()
        expected.append(
            (
                store,
                day,
                count,
                pytest.approx(group["line_count"].sum() / count),
                pytest.approx(float(day_units) / count),
                half_up(Decimal(sum(totals)) / count),
                half_up(statistics.median(totals)),
            )
        )
    answer = dashboards.basket_stats(connection, filters)
    columns = (
        "store_id",
        "day",
        "receipts",
        "lines_per_receipt",
        "units_per_receipt",
        "average_basket_cents",
        "median_basket_cents",
    )
    assert rows(answer, *columns) == sorted(expected, key=lambda row: repr(row[:2]))


@pytest.mark.parametrize("filters", [PERIOD, TWO_STORES])
def test_tender_mix_takes_change_off_cash_and_refunds_off_their_tender(
    chain: Chain, connection: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    payments = chain.local("payments", filters).with_columns(
        tender=pl.when(pl.col("method") == "cash")
        .then(pl.lit("cash_") + pl.col("currency").str.to_lowercase())
        .otherwise(pl.col("method"))
    )
    paid = (
        payments.filter(pl.col("document") != "credit_note")
        .group_by("tender")
        .agg(payments=pl.len(), value=pl.col("amount_cents").sum())
    )
    refunded = (
        payments.filter(pl.col("document") == "credit_note")
        .group_by("tender")
        .agg(refunds=pl.len(), refund=-pl.col("amount_cents").sum())
    )
    change = chain.local("sales", filters)["change_cents"].sum()
    expected = (
        paid.join(refunded, on="tender", how="full", coalesce=True)
        .fill_null(0)
        .with_columns(
            value=pl.col("value") - pl.when(pl.col("tender") == "cash_lsl").then(change).otherwise(0)
        )
    )
    answer = dashboards.tender_mix(connection, filters)
    assert rows(answer, "tender", "payments", "value_cents", "refunds", "refund_cents") == rows(
        expected, "tender", "payments", "value", "refunds", "refund"
    )
    # what the tenders took is what the sales were due, to the lisente
    assert answer["value_cents"].sum() == chain.local("sales", filters)["total_due_cents"].sum()


def test_vat_collected_is_net_of_credit_notes(chain: Chain, connection: duckdb.DuckDBPyConnection) -> None:
    vat = chain.local("receipt_vat", PERIOD)
    expected = vat.group_by("vat_class", "rate").agg(
        invoices=(pl.col("document") != "credit_note").sum(),
        credit_notes=(pl.col("document") == "credit_note").sum(),
        gross=pl.col("gross_cents").sum(),
        net=pl.col("net_cents").sum(),
        vat=pl.col("vat_cents").sum(),
        credit_vat=pl.col("vat_cents").filter(pl.col("document") == "credit_note").sum(),
    )
    answer = dashboards.vat_collected(connection, PERIOD)
    columns = (
        "vat_class",
        "rate",
        "invoices",
        "credit_notes",
        "gross_cents",
        "net_cents",
        "vat_cents",
        "credit_note_vat_cents",
    )
    assert rows(answer, *columns) == rows(
        expected, "vat_class", "rate", "invoices", "credit_notes", "gross", "net", "vat", "credit_vat"
    )
    assert answer.filter(pl.col("vat_class") == "standard")["credit_note_vat_cents"].item() < 0


@pytest.mark.parametrize("filters", [PERIOD, TWO_STORES])
def test_cashier_activity_counts_voids_refunds_discounts_and_no_sales(
    chain: Chain, connection: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    key = ["store_id", "cashier"]
    sales = (
        chain.local("sales", filters)
        .group_by(key)
        .agg(
            receipts=pl.len(),
            voided=pl.col("voided_count").sum(),
            discounted=(pl.col("discount_cents") > 0).sum(),
            discount=pl.col("discount_cents").sum(),
        )
    )
    refunds = (
        chain.local("returns", filters)
        .group_by(key)
        .agg(refunds=pl.len(), refund=pl.col("refund_cents").sum())
    )
    no_sales = chain.local("drawer_openings", filters).group_by(key).agg(no_sales=pl.len())
    cancels = chain.local("cancelled_sales", filters).group_by(key).agg(cancelled=pl.len())
    expected = sales
    for part in (refunds, no_sales, cancels):
        expected = expected.join(part, on=key, how="full", coalesce=True)
    expected = expected.fill_null(0).with_columns(
        voids_rate=pl.when(pl.col("receipts") > 0).then(pl.col("voided") / pl.col("receipts")),
        refund_rate=pl.when(pl.col("receipts") > 0).then(pl.col("refunds") / pl.col("receipts")),
    )
    answer = dashboards.cashier_activity(connection, filters)
    columns = (
        "store_id",
        "cashier",
        "receipts",
        "voided_lines",
        "discounted_receipts",
        "discount_cents",
        "refunds",
        "refund_cents",
        "no_sales",
        "cancelled_sales",
    )
    assert rows(answer, *columns) == rows(
        expected,
        "store_id",
        "cashier",
        "receipts",
        "voided",
        "discounted",
        "discount",
        "refunds",
        "refund",
        "no_sales",
        "cancelled",
    )
    assert rows(answer, "store_id", "cashier", "voids_per_sale", "refunds_per_sale") == rows(
        expected, "store_id", "cashier", "voids_rate", "refund_rate"
    )


@pytest.mark.parametrize(
    "filters",
    [
        Filters(date(2025, 10, 26), date(2025, 11, 30)),
        Filters(date(2025, 11, 7), END, store_ids=["MPT-03"], category="Dairy & eggs"),
    ],
)
def test_forecast_vs_actual_compares_each_day_and_leaves_unknown_days_open(
    chain: Chain, connection: duckdb.DuckDBPyConnection, filters: Filters
) -> None:
    forecasts = (
        chain.tables["forecasts"]
        .rename({"date": "day"})
        .join(chain.tables["products"].select("sku", "category"), on="sku", how="left")
        .filter(pl.col("day").is_between(filters.date_from, filters.date_to))
    )
    if filters.store_ids is not None:
        forecasts = forecasts.filter(pl.col("store_id").is_in(list(filters.store_ids)))
    if filters.category is not None:
        forecasts = forecasts.filter(pl.col("category") == filters.category)
    window = Filters(
        max(filters.date_from, date(2025, 11, 6)), min(filters.date_to, date(2025, 11, 12)), filters.store_ids
    )
    key = ["store_id", "sku", "day"]
    sold = chain.local("sale_lines", window).group_by(key).agg(sold=pl.col("quantity").sum())
    back = chain.local("return_lines", window).group_by(key).agg(back=pl.col("quantity").sum())
    actual = sold.join(back, on=key, how="full", coalesce=True).with_columns(
        units=pl.max_horizontal(
            pl.col("sold").fill_null(Decimal(0)) - pl.col("back").fill_null(Decimal(0)), Decimal(0)
        ).cast(pl.Float64)
    )
    last_known = actual["day"].max()
    compared = forecasts.join(actual.select(*key, "units"), on=key, how="left").with_columns(
        pl.col("units").fill_null(0.0)
    )
    per_day = (
        compared.group_by("day")
        .agg(
            series=pl.len(),
            forecast=pl.col("forecast").sum(),
            actual=pl.col("units").sum(),
            abs_error=(pl.col("forecast") - pl.col("units")).abs().sum(),
        )
        .sort("day")
    )
    answer = dashboards.forecast_vs_actual(connection, filters)
    assert answer["day"].to_list() == per_day["day"].to_list()
    assert answer["series"].to_list() == per_day["series"].to_list()
    assert answer["forecast_units"].to_list() == pytest.approx(per_day["forecast"].to_list())
    for got, day, want in zip(answer["actual_units"], per_day["day"], per_day["actual"], strict=True):
        known = last_known is not None and day <= last_known
        assert got == (pytest.approx(want) if known else None)
    known_rows = answer.filter(pl.col("actual_units").is_not_null())
    assert known_rows["abs_error_units"].to_list() == pytest.approx(
        per_day.head(known_rows.height)["abs_error"].to_list()
    )
    assert (
        answer.filter(pl.col("day") > END)["actual_units"].null_count()
        == answer.filter(pl.col("day") > END).height
    )


def test_fraud_alerts_to_review_come_highest_score_first(connection: duckdb.DuckDBPyConnection) -> None:
    answer = dashboards.fraud_alerts(
        connection, Filters(date(2025, 11, 1), date(2025, 11, 5), store_ids=["MSU-01"])
    )
    # R2 is too old, D1 dismissed, S1 of another store; R3 at 23:00 local on the 5th is in, R4 at 00:30
    # local on the 6th (still the 5th in UTC) is out
    assert answer["ref"].to_list() == ["R3", "CN1", "R1"]
    assert answer["reasons"].to_list()[1] == "refund to another tender; no receipt"
    assert answer["local_time"].to_list()[0] == datetime(2025, 11, 5, 23, 0)
    everything = dashboards.fraud_alerts(connection, Filters(date(2025, 10, 1), END), status=None, limit=3)
    assert everything["ref"].to_list() == ["R2", "R4", "R3"]


def test_a_dashboard_with_no_forecasts_or_alerts_is_empty(tmp_path: Path) -> None:
    lakehouse = tmp_path / "lakehouse"
    LakehouseWriter(lakehouse).write(list(Store("MSU-01").day(sales=2)))
    derive(lakehouse)
    with dashboards.connect(lakehouse) as opened:
        filters = Filters(date(2026, 11, 1), date(2026, 11, 30))
        assert dashboards.forecast_vs_actual(opened, filters).is_empty()
        assert dashboards.fraud_alerts(opened, filters).is_empty()
        assert dashboards.tender_mix(opened, filters)["payments"].sum() == 3 * 2  # 3 sales, 2 tenders each


EVERY_DASHBOARD: dict[str, Callable[[duckdb.DuckDBPyConnection, Filters], Any]] = {
    "sales_today": dashboards.sales_today,
    "sales_by_hour": dashboards.sales_by_hour,
    "sales_by_category": dashboards.sales_by_category,
    "top_products": lambda c, f: dashboards.product_ranking(c, f).top,
    "bottom_products": lambda c, f: dashboards.product_ranking(c, f).bottom,
    "basket_stats": dashboards.basket_stats,
    "tender_mix": dashboards.tender_mix,
    "vat_collected": dashboards.vat_collected,
    "cashier_activity": dashboards.cashier_activity,
    "forecast_vs_actual": dashboards.forecast_vs_actual,
    "fraud_alerts": dashboards.fraud_alerts,
}


@pytest.mark.parametrize("created", [False, True], ids=["no tables", "empty tables"])
def test_an_empty_lakehouse_gives_empty_frames(tmp_path: Path, created: bool) -> None:
    lakehouse = tmp_path / "lakehouse"
    if created:
        LakehouseWriter(lakehouse).create_tables()
        assert dashboards.refresh_rollups(lakehouse).months == []
    filters = Filters(date(2026, 11, 1), date(2026, 11, 30), category="Meat")
    for connect in (connect_lakehouse, dashboards.connect):
        with connect(lakehouse) as opened:
            for name, dashboard in EVERY_DASHBOARD.items():
                assert dashboard(opened, filters).is_empty(), name


def test_dashboards_give_nothing_for_no_store_or_an_unknown_one(
    chain: Chain, connection: duckdb.DuckDBPyConnection
) -> None:
    for stores in ([], ["MSU-01' OR '1'='1"]):  # a value is bound, never spliced into the SQL
        filters = Filters(PERIOD.date_from, PERIOD.date_to, store_ids=stores, category="x' OR 'a'='a")
        for name, dashboard in EVERY_DASHBOARD.items():
            if name != "bottom_products":  # the catalog's products are ranked whatever the stores
                assert dashboard(connection, filters).is_empty(), name


def test_a_late_event_for_a_rolled_up_day_reaches_the_rollups_at_the_next_refresh(tmp_path: Path) -> None:
    lakehouse = tmp_path / "lakehouse"
    first = Store("MSU-01", start=datetime(2026, 10, 5, 8, 0, tzinfo=UTC))
    LakehouseWriter(lakehouse).write(list(first.day(sales=2)))
    derive(lakehouse)
    through = date(2026, 11, 10)
    assert dashboards.refresh_rollups(lakehouse, through=through).months == [date(2026, 10, 1)]
    assert dashboards.refresh_rollups(lakehouse, through=through).months == []  # nothing new: nothing to do
    late = Store("TY-02", start=datetime(2026, 10, 20, 8, 0, tzinfo=UTC))  # a store that synced late
    LakehouseWriter(lakehouse).write(list(late.day(sales=1)))
    derive(lakehouse)
    october = Filters(date(2026, 10, 1), date(2026, 10, 31))
    with dashboards.connect(lakehouse) as stale:  # until the refresh, the rollups do not know TY-02
        assert dashboards.basket_stats(stale, october)["store_id"].to_list() == ["MSU-01"]
    report = dashboards.refresh_rollups(lakehouse, through=through)
    assert report.months == [date(2026, 10, 1)] and not report.full
    with dashboards.connect(lakehouse) as fresh:
        assert dashboards.basket_stats(fresh, october)["store_id"].to_list() == ["MSU-01", "TY-02"]
    state = read_state(lakehouse)
    assert state is not None and state.through == through


def test_a_new_day_completing_rebuilds_only_its_month(tmp_path: Path) -> None:
    lakehouse = tmp_path / "lakehouse"
    LakehouseWriter(lakehouse).write(
        list(Store("MSU-01", start=datetime(2026, 9, 29, 8, 0, tzinfo=UTC)).day(sales=1))
    )
    derive(lakehouse)
    assert dashboards.refresh_rollups(lakehouse, through=date(2026, 9, 30)).months == [date(2026, 9, 1)]
    assert dashboards.refresh_rollups(lakehouse, through=date(2026, 10, 2)).months == [date(2026, 10, 1)]


def test_the_same_answer_from_rollups_and_from_the_tables_alone(chain: Chain) -> None:
    filters = Filters(date(2025, 10, 26), END, store_ids=["MSU-01", "TY-02", NIGHT_STORE])
    with connect_lakehouse(chain.lakehouse) as live, dashboards.connect(chain.lakehouse) as rolled:
        for dashboard in EVERY_DASHBOARD.values():
            assert_frame_equal(dashboard(live, filters), dashboard(rolled, filters))  # floats: to 1e-5


def test_filters_refuse_a_period_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="swap the two dates"):
        Filters(date(2025, 11, 9), date(2025, 11, 1))
    with pytest.raises(ValueError, match="list of store ids"):
        Filters(date(2025, 11, 1), date(2025, 11, 9), store_ids="MSU-01")


def test_a_dashboard_downloads_as_csv_and_parquet(chain: Chain) -> None:
    with dashboards.connect(chain.lakehouse) as opened:
        frame = dashboards.sales_by_category(opened, PERIOD)
    assert pl.read_parquet(io.BytesIO(dashboards.to_parquet(frame))).equals(frame)
    csv = dashboards.to_csv(frame).decode("utf-8")
    assert csv.splitlines()[0] == ",".join(frame.columns)
    back = pl.read_csv(io.StringIO(csv))
    assert back["net_sales_cents"].to_list() == frame["net_sales_cents"].to_list()


def test_rollups_rebuild_everything_when_a_product_changes_category(tmp_path: Path, chain: Chain) -> None:
    lakehouse = tmp_path / "lakehouse"
    shutil.copytree(chain.lakehouse, lakehouse)
    products = chain.tables["products"].with_columns(
        category=pl.when(pl.col("category") == "Meat").then(pl.lit("Butchery")).otherwise(pl.col("category"))
    )
    LakehouseWriter(lakehouse).upsert(PRODUCTS_SPEC, products.to_arrow())
    assert dashboards.refresh_rollups(lakehouse, through=ROLLED_THROUGH).full
    with dashboards.connect(lakehouse) as opened:
        categories = dashboards.sales_by_category(opened, PERIOD)["category"].to_list()
    assert "Butchery" in categories and "Meat" not in categories


def test_rollups_of_an_older_layout_are_ignored_until_rebuilt(tmp_path: Path) -> None:
    lakehouse = tmp_path / "lakehouse"
    LakehouseWriter(lakehouse).write(list(Store("MSU-01").day(sales=2)))
    derive(lakehouse)
    old_state = pl.DataFrame({"through": [date(2026, 12, 31)], "files_until_ms": [0]})
    write_deltalake(str(ROLLUP_STATE.path(lakehouse)), old_state.to_arrow())
    day = Filters(date(2026, 11, 23), date(2026, 11, 23))
    with dashboards.connect(lakehouse) as opened:  # as if there were no rollups: every day live
        assert dashboards.basket_stats(opened, day)["receipts"].to_list() == [3]
    assert dashboards.refresh_rollups(lakehouse, through=date(2026, 11, 23)).full
    with dashboards.connect(lakehouse) as opened:
        assert dashboards.basket_stats(opened, day)["receipts"].to_list() == [3]


def test_the_rollups_command_rolls_up_with_progress_and_then_has_nothing_to_do(
    tmp_path: Path, chain: Chain
) -> None:
    lakehouse = tmp_path / "lakehouse"
    shutil.copytree(chain.lakehouse, lakehouse)
    shutil.rmtree(ROLLUP_STATE.path(lakehouse), ignore_errors=True)  # as if never rolled up
    args = ["hq", "rollups", "--lakehouse", str(lakehouse), "--through", str(ROLLED_THROUGH)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert f"rollups through {ROLLED_THROUGH}" in first.output and "2025-1" in first.output
    state = read_state(lakehouse)
    assert state is not None and state.through == ROLLED_THROUGH
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and "months none needed it" in again.output
    bare = CliRunner().invoke(main, ["hq", "rollups", "--lakehouse", str(tmp_path / "nothing")])
    assert bare.exit_code != 0 and "not a lakehouse yet" in bare.output


async def test_hq_serve_keeps_the_rollups_fresh_by_itself(tmp_path: Path, chain: Chain) -> None:
    lakehouse = tmp_path / "lakehouse"
    shutil.copytree(chain.lakehouse, lakehouse)
    shutil.rmtree(ROLLUP_STATE.path(lakehouse), ignore_errors=True)
    schedule = RollupSchedule(lakehouse, every_seconds=0.05, first_after_seconds=0)
    schedule.start()
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while schedule.refreshed < 2:
            assert asyncio.get_running_loop().time() < deadline, "the rollups were not refreshed twice"
            await asyncio.sleep(0.05)
    finally:
        await schedule.stop()
    state = read_state(lakehouse)
    assert state is not None and state.through == dashboards.local_today() - timedelta(days=1)
