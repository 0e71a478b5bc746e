"""HTTP of HQ's dashboards: the list, the filters to offer, each dashboard as JSON rows with how to draw
them, and each as a CSV or Parquet download. Every query runs through the app's `LakeReader` (`lake`)."""

from datetime import date, timedelta
from typing import Annotated, Any

import msgspec
import polars as pl
import polars.selectors as cs
from litestar import Controller, Response, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, FromQuery, QueryParameter

from aiwebpos_cloud.hq import dashboards
from aiwebpos_cloud.hq.dashboards import Filters
from aiwebpos_cloud.hq.web_dashboards import choices
from aiwebpos_cloud.hq.web_dashboards.catalog import DASHBOARDS, Chart, Dashboard
from aiwebpos_cloud.hq.web_dashboards.reader import LakeDep, LakeReader

PERMISSION = "dashboards.read"
DEFAULT_DAYS = 28
EXPORTS = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}


class DashboardSummary(msgspec.Struct, frozen=True):
    name: str
    title: str
    kind: str


class DashboardRows(msgspec.Struct, frozen=True):
    """A dashboard's frame as JSON: money in integer cents, units and rates as numbers, days as ISO text."""

    name: str
    title: str
    chart: Chart
    columns: list[str]
    rows: list[tuple[Any, ...]]
    date_from: date
    date_to: date


class FilterChoices(msgspec.Struct, frozen=True):
    stores: list[choices.StoreChoice]
    categories: list[str]
    date_from: date  # the default period: the last DEFAULT_DAYS local days up to today
    date_to: date


def default_period(today: date) -> tuple[date, date]:
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def parse_day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationException(f"{name} {text!r} is not a date: write it as YYYY-MM-DD") from None


def filters_from_query(
    date_from: FromQuery[str | None] = None,
    date_to: FromQuery[str | None] = None,
    store: FromQuery[list[str] | None] = None,
    category: FromQuery[str | None] = None,
) -> Filters:
    """The query's filters; a missing date_to is today (Maseru), a missing date_from 28 days earlier."""
    last = parse_day(date_to, "date_to") if date_to else dashboards.local_today()
    first = parse_day(date_from, "date_from") if date_from else default_period(last)[0]
    try:
        return Filters(first, last, store_ids=store or None, category=category or None)
    except ValueError as exc:  # the period runs backwards
        raise ValidationException(str(exc)) from None


def dashboard_named(name: str) -> Dashboard:
    try:
        return DASHBOARDS[name]
    except KeyError:
        offered = ", ".join(DASHBOARDS)
        raise NotFoundException(f"there is no dashboard {name!r}: choose one of {offered}") from None


async def checked(lake: LakeReader, filters: Filters) -> Filters:
    """The filters, or a 400 naming a store or category the lakehouse has never seen (a typo would
    otherwise show as a day without sales)."""
    if not filters.store_ids and not filters.category:
        return filters
    stores, categories = await lake.run(
        lambda c: (
            {s.store_id for s in choices.stores(c)},
            set(choices.categories(c)) if filters.category else set(),
        )
    )
    unknown = sorted(set(filters.store_ids or ()) - stores)
    if unknown:
        raise ValidationException(
            f"no store {', '.join(unknown)} in the lakehouse: choose from /api/v1/dashboards/filters"
        )
    if filters.category and filters.category not in categories:
        raise ValidationException(
            f"no category {filters.category!r} in the catalog: choose from /api/v1/dashboards/filters"
        )
    return filters


def json_rows(frame: pl.DataFrame) -> list[tuple[Any, ...]]:
    # decimals (units, VAT rates) as JSON numbers for the charts, rather than msgspec's strings
    return frame.with_columns(cs.decimal().cast(pl.Float64)).rows()


class DashboardController(Controller):
    path = "/api/v1/dashboards"
    tags = ["dashboards"]
    dependencies = {"filters": Provide(filters_from_query, sync_to_thread=False)}

    @get("/", opt={"permission": PERMISSION})
    async def list_dashboards(self) -> list[DashboardSummary]:
        return [DashboardSummary(d.name, d.title, d.chart.kind) for d in DASHBOARDS.values()]

    @get("/filters", opt={"permission": PERMISSION})
    async def filter_choices(self, lake: LakeDep) -> FilterChoices:
        stores, categories = await lake.run(lambda c: (choices.stores(c), choices.categories(c)))
        return FilterChoices(stores, categories, *default_period(dashboards.local_today()))

    @get("/{name:str}", opt={"permission": PERMISSION})
    async def show(
        self, lake: LakeDep, name: FromPath[str], filters: NamedDependency[Filters]
    ) -> DashboardRows:
        dashboard = dashboard_named(name)
        await checked(lake, filters)
        frame = await lake.run(lambda c: dashboard.compute(c, filters))
        return DashboardRows(
            dashboard.name,
            dashboard.title,
            dashboard.chart,
            frame.columns,
            json_rows(frame),
            filters.date_from,
            filters.date_to,
        )

    @get("/{name:str}/export", opt={"permission": PERMISSION})
    async def export(
        self,
        lake: LakeDep,
        name: FromPath[str],
        filters: NamedDependency[Filters],
        file_format: Annotated[str, QueryParameter(name="format")] = "csv",
    ) -> Response[bytes]:
        dashboard = dashboard_named(name)
        if file_format not in EXPORTS:
            raise ValidationException(f"format {file_format!r} is not offered: ask for csv or parquet")
        await checked(lake, filters)
        frame = await lake.run(lambda c: dashboard.compute(c, filters))
        content = dashboards.to_csv(frame) if file_format == "csv" else dashboards.to_parquet(frame)
        filename = f"{name}_{filters.date_from}_{filters.date_to}.{file_format}"
        return Response(
            content,
            media_type=EXPORTS[file_format],
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
