"""HQ's dashboards on the web. The API answers each dashboard exactly as the query layer computes it for
the filters of the query, downloads the same frame as CSV and Parquet, and answers bad input with a 4xx
that says what to fix; the reader shares its one DuckDB connection safely. Then the page, in Chromium,
draws every chart from the API, follows a filter and downloads a CSV. One generated chain (3 stores, 21
days up to today in Maseru, forecasts and fraud alerts beside) serves the whole module."""

import asyncio
import io
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb
import httpx
import msgspec
import polars as pl
import polars.selectors as cs
import pytest
from deltalake import write_deltalake
from litestar import Litestar
from litestar.di import Provide
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient
from playwright.sync_api import Browser, Page, expect
from polars.testing import assert_frame_equal

from aiwebpos_cloud.hq import dashboards
from aiwebpos_cloud.hq.dashboards import Filters
from aiwebpos_cloud.hq.web_dashboards import DashboardController, LakeReader, dashboards_static
from aiwebpos_cloud.lakehouse.outputs import FORECASTS, FRAUD_ALERTS
from aiwebpos_pipelines.history import generate_history
from devkit.browser import chromium
from devkit.served import served as serve_in_thread

SCREENSHOTS = Path(os.environ.get("AIWEBPOS_SCREENSHOTS", "var/screenshots"))
TODAY = dashboards.local_today()
PERIOD = Filters(TODAY - timedelta(days=20), TODAY)
NARROWED = Filters(TODAY - timedelta(days=9), TODAY - timedelta(days=2), ["MSU-01", "TY-02"], "Groceries")


def ranking(connection: duckdb.DuckDBPyConnection, filters: Filters) -> pl.DataFrame:
    ranked = dashboards.product_ranking(connection, filters)
    top, bottom = ranked.top.with_columns(end=pl.lit("top")), ranked.bottom.with_columns(end=pl.lit("bottom"))
    return pl.concat([top, bottom]).select("end", pl.exclude("end"))


QUERY_LAYER: dict[str, Callable[[duckdb.DuckDBPyConnection, Filters], pl.DataFrame]] = {
    "sales_today": dashboards.sales_today,
    "sales_by_hour": dashboards.sales_by_hour,
    "sales_by_category": dashboards.sales_by_category,
    "product_ranking": ranking,
    "basket_stats": dashboards.basket_stats,
    "tender_mix": dashboards.tender_mix,
    "vat_collected": dashboards.vat_collected,
    "cashier_activity": dashboards.cashier_activity,
    "forecast_vs_actual": dashboards.forecast_vs_actual,
    "fraud_alerts": dashboards.fraud_alerts,
}


# ---- the chain -------------------------------------------------------------------------------------


def write_forecasts(lakehouse: Path) -> None:
    """A forecast for each store × SKU over the last week and the next (the next not known yet): its
    average day, a few percent off, differently each day so that a wrong join shows."""
    connection = dashboards.connect(lakehouse)
    series = connection.sql(
        "SELECT store_id, sku, sum(quantity)::DOUBLE / 21 AS units FROM sale_lines GROUP BY ALL ORDER BY ALL"
    ).pl()
    connection.close()
    days = pl.DataFrame({"date": [TODAY + timedelta(days=i) for i in range(-6, 8)]})
    rows = (
        series.join(days, how="cross")
        .with_row_index("i")
        .with_columns(
            forecast=pl.col("units") * (0.85 + (pl.col("i") % 7).cast(pl.Float64) * 0.05),
            origin=pl.lit(TODAY - timedelta(days=7)),
            model=pl.lit("aiwebpos-forecast"),
            model_version=pl.lit("3"),
        )
    )
    table = rows.select(FORECASTS.schema.names).to_arrow().cast(FORECASTS.schema)
    write_deltalake(str(FORECASTS.path(lakehouse)), table)


def write_fraud_alerts(lakehouse: Path) -> None:
    noon = datetime.combine(TODAY - timedelta(days=2), datetime.min.time(), UTC) + timedelta(hours=10)
    alerts = [  # ref, kind, store, cashier, hours before `noon`, score, status, reasons
        ("R1", "sale", "MSU-01", "thabo.m", 0, 0.71, "open", "many voids"),
        ("CN1", "return", "MSU-01", "thabo.m", 30, 0.93, "open", "refund to another tender; no receipt"),
        ("S1", "shift", "TY-02", "neo.s", 50, 0.88, "open", "drawer opened often"),
        ("D1", "drawer", "MSU-01", "thabo.m", 2, 0.55, "dismissed", "no-sale"),
        ("R2", "sale", "MPT-03", "lerato.l", 5, 0.99, "open", "price override"),
    ]
    columns = ("ref", "kind", "store_id", "cashier", "hours", "score", "status", "reasons")
    rows = pl.DataFrame(alerts, schema=columns, orient="row").with_columns(
        occurred_at=pl.lit(noon) - pl.duration(hours=pl.col("hours")),
        shift_id=pl.lit("s1"),
        model=pl.lit("aiwebpos-fraud"),
        model_version=pl.lit("4"),
    )
    table = rows.select(FRAUD_ALERTS.schema.names).to_arrow().cast(FRAUD_ALERTS.schema)
    write_deltalake(str(FRAUD_ALERTS.path(lakehouse)), table)


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lakehouse = tmp_path_factory.mktemp("hq-web") / "lakehouse"
    generate_history(lakehouse, stores=3, days=21, skus=30, seed=11, end=TODAY, workers=1)
    write_forecasts(lakehouse)
    write_fraud_alerts(lakehouse)
    # rollups through last week: the answers mix rolled-up days and days computed live, as in production
    dashboards.refresh_rollups(lakehouse, through=TODAY - timedelta(days=7))
    return lakehouse


@pytest.fixture(scope="module")
def query_layer(chain: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The query layer's own connection: what the API must answer, computed beside it."""
    connection = dashboards.connect(chain)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def app(chain: Path) -> Iterator[Litestar]:
    reader = LakeReader(chain)
    yield Litestar(
        [DashboardController, dashboards_static()],
        dependencies={"lake": Provide(lambda: reader, sync_to_thread=False)},
    )
    reader.close()


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app) as test_client:
        yield test_client


def query_of(filters: Filters) -> str:
    pairs = [("date_from", str(filters.date_from)), ("date_to", str(filters.date_to))]
    pairs += [("store", store) for store in filters.store_ids or ()]
    pairs += [("category", filters.category)] if filters.category else []
    return urlencode(pairs)


def near(value: Any) -> Any:
    """A float compares within rounding: DuckDB's parallel sums of doubles differ in the last digit."""
    return pytest.approx(value, rel=1e-12) if isinstance(value, float) else value


def as_json(frame: pl.DataFrame) -> Any:
    """The frame's rows as the API should carry them: decimals as numbers, days and times as ISO text."""
    rows = [[float(v) if isinstance(v, Decimal) else v for v in row] for row in frame.rows()]
    return [[near(v) for v in row] for row in msgspec.json.decode(msgspec.json.encode(rows))]


# ---- the API ---------------------------------------------------------------------------------------


def test_every_api_route_asks_for_the_dashboards_read_permission(app: Litestar) -> None:
    api = [route for route in app.routes if isinstance(route, HTTPRoute) and route.path.startswith("/api/")]
    handlers = [h for route in api for h in route.route_handlers if "GET" in h.http_methods]
    assert len(handlers) == 4  # the list, the filters, a dashboard, its download
    assert all(handler.opt["permission"] == "dashboards.read" for handler in handlers)


async def test_the_list_names_every_dashboard_with_its_chart(client: AsyncTestClient[Litestar]) -> None:
    listed = (await client.get("/api/v1/dashboards/")).json()
    assert [d["name"] for d in listed] == list(QUERY_LAYER)
    kinds = {"bar", "grouped_bar", "horizontal_bar", "line", "table"}
    assert all(d["title"] and d["kind"] in kinds for d in listed)


@pytest.mark.parametrize("filters", [PERIOD, NARROWED], ids=["all-stores", "two-stores-groceries"])
@pytest.mark.parametrize("name", list(QUERY_LAYER))
async def test_each_dashboard_answers_the_query_layers_frame(
    client: AsyncTestClient[Litestar], query_layer: duckdb.DuckDBPyConnection, name: str, filters: Filters
) -> None:
    answer = await client.get(f"/api/v1/dashboards/{name}?{query_of(filters)}")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = QUERY_LAYER[name](query_layer, filters)
    assert body["name"] == name and body["columns"] == expected.columns
    assert body["rows"] == as_json(expected)
    assert body["chart"]["kind"] and set(body["chart"]["x"] + body["chart"]["y"]) <= set(expected.columns)
    assert expected.height > 0 or name == "fraud_alerts"  # the chain leaves no chart empty but that one
    for column in (c for c in expected.columns if c.endswith("_cents")):  # money stays integer cents
        assert all(isinstance(row[expected.columns.index(column)], int | None) for row in body["rows"])


async def test_a_store_filter_narrows_the_answer_to_that_store(client: AsyncTestClient[Litestar]) -> None:
    everyone = (await client.get(f"/api/v1/dashboards/sales_today?{query_of(PERIOD)}")).json()
    one = Filters(PERIOD.date_from, PERIOD.date_to, ["TY-02"])
    only = (await client.get(f"/api/v1/dashboards/sales_today?{query_of(one)}")).json()
    assert [row[0] for row in everyone["rows"]] == ["MPT-03", "MSU-01", "TY-02"]
    assert [row[0] for row in only["rows"]] == ["TY-02"] and only["rows"][0] == everyone["rows"][2]


async def test_without_dates_a_dashboard_covers_the_last_28_days_in_maseru(
    client: AsyncTestClient[Litestar],
) -> None:
    body = (await client.get("/api/v1/dashboards/sales_by_hour")).json()
    today = dashboards.local_today()
    assert (body["date_from"], body["date_to"]) == (str(today - timedelta(days=27)), str(today))


async def test_the_filters_offer_the_chains_stores_and_categories(
    client: AsyncTestClient[Litestar], query_layer: duckdb.DuckDBPyConnection
) -> None:
    offered = (await client.get("/api/v1/dashboards/filters")).json()
    assert [s["store_id"] for s in offered["stores"]] == ["MPT-03", "MSU-01", "TY-02"]
    assert all(s["name"].startswith("Khotso Supermarkets") for s in offered["stores"])
    categories = query_layer.sql("SELECT DISTINCT category FROM products ORDER BY 1").fetchall()
    assert offered["categories"] == [c for (c,) in categories] and "Groceries" in offered["categories"]
    first, last = date.fromisoformat(offered["date_from"]), date.fromisoformat(offered["date_to"])
    assert last - first == timedelta(days=27)


@pytest.mark.parametrize("name", ["sales_by_category", "product_ranking", "fraud_alerts"])
async def test_the_downloads_are_the_dashboards_frame_as_csv_and_parquet(
    client: AsyncTestClient[Litestar], query_layer: duckdb.DuckDBPyConnection, name: str
) -> None:
    expected = QUERY_LAYER[name](query_layer, NARROWED)
    assert expected.height > 0
    filters, period = query_of(NARROWED), f"{NARROWED.date_from}_{NARROWED.date_to}"

    parquet = await client.get(f"/api/v1/dashboards/{name}/export?{filters}&format=parquet")
    assert parquet.headers["content-type"] == "application/vnd.apache.parquet"
    assert parquet.headers["content-disposition"] == f'attachment; filename="{name}_{period}.parquet"'
    assert_frame_equal(pl.read_parquet(io.BytesIO(parquet.content)), expected)

    csv = await client.get(f"/api/v1/dashboards/{name}/export?{filters}")  # csv unless asked otherwise
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"] == f'attachment; filename="{name}_{period}.csv"'
    read = pl.read_csv(io.BytesIO(csv.content))
    assert read.columns == expected.columns and read.height == expected.height
    assert_frame_equal(read.select(cs.ends_with("_cents")), expected.select(cs.ends_with("_cents")))


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/api/v1/dashboards/turnover", 404, "there is no dashboard 'turnover': choose one of sales_today"),
        ("/api/v1/dashboards/turnover/export", 404, "there is no dashboard 'turnover'"),
        ("/api/v1/dashboards/tender_mix?date_from=2026-02-30", 400, "date_from '2026-02-30' is not a date"),
        ("/api/v1/dashboards/tender_mix?date_to=yesterday", 400, "write it as YYYY-MM-DD"),
        ("/api/v1/dashboards/tender_mix?date_from=2026-11-20&date_to=2026-11-01", 400, "swap the two dates"),
        ("/api/v1/dashboards/tender_mix/export?format=xlsx", 400, "'xlsx' is not offered: ask for csv"),
        ("/api/v1/dashboards/tender_mix?store=ZZ-99", 400, "no store ZZ-99 in the lakehouse"),
        ("/api/v1/dashboards/tender_mix/export?store=ZZ-99", 400, "no store ZZ-99 in the lakehouse"),
        ("/api/v1/dashboards/sales_by_category?category=Jewellery", 400, "no category 'Jewellery'"),
    ],
)
async def test_bad_input_is_refused_with_what_to_fix(
    client: AsyncTestClient[Litestar], path: str, status: int, says: str
) -> None:
    answer = await client.get(path)
    assert answer.status_code == status
    assert says in answer.json()["detail"]


async def test_the_page_and_its_files_are_served_at_hq_dashboards(client: AsyncTestClient[Litestar]) -> None:
    page = await client.get("/hq/dashboards/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for name in ("charts.js", "dashboards.js", "dashboards.css"):
        assert (await client.get(f"/hq/dashboards/{name}")).status_code == 200
    assert "://" not in page.text  # nothing is fetched from elsewhere


# ---- the reader ------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class CountingConnect:
    """`dashboards.connect`, counting the connections and able to hold one open until released."""

    def __init__(self) -> None:
        self.opened: list[duckdb.DuckDBPyConnection] = []
        self.hold = threading.Event()
        self.hold.set()
        self.started = threading.Event()

    def __call__(self, lakehouse: Path) -> duckdb.DuckDBPyConnection:
        self.started.set()
        assert self.hold.wait(30)
        self.opened.append(dashboards.connect(lakehouse))
        return self.opened[-1]


def count_sales(connection: duckdb.DuckDBPyConnection) -> int:
    return int(connection.sql("SELECT count(*) FROM sales").fetchall()[0][0])


async def test_the_reader_reconnects_once_its_connection_is_older_than_refresh_seconds(chain: Path) -> None:
    clock, connect = Clock(), CountingConnect()
    reader = LakeReader(chain, refresh_seconds=60, connect=connect, clock=clock)
    sales = await reader.run(count_sales)
    clock.now = 59
    assert await reader.run(count_sales) == sales and len(connect.opened) == 1
    clock.now = 60
    assert await reader.run(count_sales) == sales and len(connect.opened) == 2
    with pytest.raises(duckdb.ConnectionException):  # the stale one was closed
        count_sales(connect.opened[0])
    reader.close()
    with pytest.raises(duckdb.ConnectionException):
        count_sales(connect.opened[1])


async def test_queries_answer_from_the_old_connection_while_a_new_one_opens(chain: Path) -> None:
    clock, connect = Clock(), CountingConnect()
    reader = LakeReader(chain, refresh_seconds=60, connect=connect, clock=clock)
    await reader.run(count_sales)
    clock.now = 61
    connect.hold.clear()
    connect.started.clear()
    reconnecting = asyncio.create_task(reader.run(count_sales))
    assert await asyncio.to_thread(connect.started.wait, 10)
    served = await asyncio.wait_for(reader.run(count_sales), 10)  # not waiting for the reconnect
    assert served > 0 and not reconnecting.done() and len(connect.opened) == 1
    connect.hold.set()
    assert await reconnecting == served and len(connect.opened) == 2
    reader.close()


async def test_queries_never_run_on_the_connection_at_the_same_time(chain: Path) -> None:
    reader = LakeReader(chain)
    inside: list[int] = []
    most = 0

    def query(connection: duckdb.DuckDBPyConnection) -> int:
        nonlocal most
        inside.append(1)
        most = max(most, len(inside))
        time.sleep(0.01)  # long enough for an unguarded second thread to come in
        sales = count_sales(connection)
        inside.pop()
        return sales

    answers = await asyncio.gather(*(reader.run(query) for _ in range(8)))
    assert len(set(answers)) == 1 and most == 1
    reader.close()


# ---- the page in Chromium --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hq_url(app: Litestar) -> Iterator[str]:
    with serve_in_thread(app, "the HQ app") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def js_text(value: Any) -> str:
    """A value as the page's JavaScript writes it (`String(15.0)` is "15")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def expected_marks(body: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(label, column, value) of every bar, point or cell bar the page should draw for a dashboard."""
    chart, columns = body["chart"], body["columns"]
    marks = []
    for row in body["rows"]:
        record = dict(zip(columns, row, strict=True))
        label = " · ".join(js_text(record[c]) for c in chart["x"] if record[c] is not None)
        marks += [(label, c, float(record[c])) for c in chart["y"] if record[c] is not None]
    return [(label, column, near(value)) for label, column, value in sorted(marks)]


def drawn_marks(page: Page, name: str) -> list[tuple[str, str, float]]:
    found = page.locator(f'[data-dashboard="{name}"] .chart [data-value]').evaluate_all(
        "marks => marks.map(m => [m.dataset.label, m.dataset.column, m.dataset.value])"
    )
    return sorted((label, column, float(value)) for label, column, value in found)


def api_body(hq_url: str, name: str, query: str) -> dict[str, Any]:
    answer = httpx.get(f"{hq_url}/api/v1/dashboards/{name}?{query}", timeout=30)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def open_dashboards(browser: Browser, hq_url: str) -> Page:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script("sessionStorage.setItem('hq_token', 'test-token')")  # what HQ's login leaves
    page.goto(f"{hq_url}/hq/dashboards/")
    expect(page.locator("#cards")).to_have_attribute("data-state", "ready", timeout=30_000)
    return page


def test_the_page_draws_every_dashboard_follows_a_store_filter_and_downloads_a_csv(
    hq_url: str, browser: Browser
) -> None:
    page = open_dashboards(browser, hq_url)
    query = page.locator("#cards").get_attribute("data-query") or ""
    assert f"date_to={dashboards.local_today()}" in query
    cards = page.locator(".card")
    expect(cards).to_have_count(len(QUERY_LAYER))
    for name in QUERY_LAYER:
        body = api_body(hq_url, name, query)
        assert drawn_marks(page, name) == expected_marks(body), name
        card = page.locator(f'[data-dashboard="{name}"]')
        if body["chart"]["kind"] == "table":
            expect(card.locator(".chart tbody tr")).to_have_count(len(body["rows"]))
        else:
            named = re.compile(re.escape(body["title"]) + ": ")
            expect(card.locator(".chart svg[role=img]").first).to_have_attribute("aria-label", named)
    expect(page.locator('[data-dashboard="fraud_alerts"] .chart tbody tr').first).to_contain_text("R2")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "hq-dashboards.png"), full_page=True)

    table = page.locator('[data-dashboard="tender_mix"] details table')
    expect(table).to_be_hidden()
    page.locator('[data-dashboard="tender_mix"] summary').click()
    expect(table.locator("tbody tr")).to_have_count(len(api_body(hq_url, "tender_mix", query)["rows"]))

    everyone = drawn_marks(page, "sales_by_hour")
    page.select_option("#stores", ["MSU-01"])
    expect(page.locator("#cards")).to_have_attribute("data-query", query + "&store=MSU-01")
    expect(page.locator("#cards")).to_have_attribute("data-state", "ready")
    one_store = query + "&store=MSU-01"
    assert drawn_marks(page, "sales_by_hour") != everyone
    for name in QUERY_LAYER:
        assert drawn_marks(page, name) == expected_marks(api_body(hq_url, name, one_store)), name
    assert {label for label, _, _ in drawn_marks(page, "sales_today")} == {"MSU-01"}

    with page.expect_download() as downloading:
        page.get_by_role("button", name="download Net sales by category as CSV").click()
    download = downloading.value
    date_from, date_to = page.input_value("#date-from"), page.input_value("#date-to")
    assert download.suggested_filename == f"sales_by_category_{date_from}_{date_to}.csv"
    rows = pl.read_csv(download.path())
    body = api_body(hq_url, "sales_by_category", one_store)
    net_sales = body["columns"].index("net_sales_cents")
    assert rows["net_sales_cents"].to_list() == [row[net_sales] for row in body["rows"]]
    page.close()


def test_the_page_asks_to_log_in_when_there_is_no_token(hq_url: str, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(f"{hq_url}/hq/dashboards/")
    expect(page.locator("#message")).to_have_text("Log in to HQ first: the dashboards need your session.")
    expect(page.locator(".card")).to_have_count(0)
    page.close()
