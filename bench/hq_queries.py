"""HQ dashboards over a year of a chain: each dashboard query's latency through
`aiwebpos_cloud.hq.dashboards` beside the same SQL, with the same parameters, in a raw DuckDB over the
same Parquet files (no lock-down, no Python around it): the physical limit of that SQL on this machine.

The lakehouse: 20 million sale lines (~4 million receipts) of 36 stores over 2025, 3,000 SKUs in 14
categories, written straight into Delta tables with the lakehouse's schemas and partitions (one file per
store and UTC day per table, as after compaction) by numpy and pyarrow below — not through the ingest,
which would take hours. It is cached under var/bench/hq_lake/<LAKE_VERSION>-<lines>/ and reused.

Every run first rebuilds the dashboards' rollups in full (timed once: the maintenance cost), through the
day before "today" (31 Dec 2025), so today comes live from the derived tables as it would in production.
Each dashboard is then asked for the whole year, all stores: the median of 3 runs through our function
beside the median of 3 raw runs. The same dashboards with no rollups at all (every day computed from
the derived tables, 1 run each) are in `details.without_rollups_ms`: what the rollups are for.
"""

import argparse
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from deltalake import DeltaTable
from rich.progress import Progress

from aiwebpos_cloud.hq import dashboards
from aiwebpos_cloud.hq.dashboards import Filters, queries
from aiwebpos_cloud.hq.dashboards.service import bound_parameters, forecast_period
from aiwebpos_cloud.hq.dashboards.tables import ROLLUP_STATE, ROLLUPS
from aiwebpos_cloud.hq.dashboards.views import SOURCES, scope
from aiwebpos_cloud.lakehouse import query
from aiwebpos_cloud.lakehouse.outputs import FORECASTS, FRAUD_ALERTS
from aiwebpos_cloud.lakehouse.tables import (
    PRODUCTS,
    STORES,
)
from bench.hq_lake import (
    FIRST_DAY,
    LAST_DAY,
    SALE_LINES_DEFAULT,
    STORE_COUNT,
    build_lake,
    lake_dir,
)
from bench.results import RUNS, BenchResult, Figure, median

NAME = "hq_queries"
GOAL_MS = 1_000.0
TODAY = LAST_DAY  # the bench's "today": the rollups hold the days before it, it is read live
YEAR = Filters(FIRST_DAY, TODAY)
ONE_STORE = Filters(FIRST_DAY, TODAY, store_ids=["MPT-03"], category="Groceries")


@dataclass(frozen=True)
class Case:
    """One dashboard: how the web app calls it, and the SQL and filters it runs (for the raw limit)."""

    label: str
    call: Callable[[duckdb.DuckDBPyConnection, Filters], Any]
    sql: str
    period: Callable[[duckdb.DuckDBPyConnection, Filters], Filters] = lambda _, filters: filters
    extra: dict[str, Any] = field(default_factory=dict)


def _week(_: duckdb.DuckDBPyConnection, filters: Filters) -> Filters:
    return filters.with_period(filters.date_to - timedelta(days=7), filters.date_to)


CASES = (
    Case("sales today vs same day last week", dashboards.sales_today, queries.SALES_TODAY, _week),
    Case("sales by hour", dashboards.sales_by_hour, queries.SALES_BY_HOUR, extra={"per_store": False}),
    Case(
        "sales by hour, per store",
        lambda c, f: dashboards.sales_by_hour(c, f, per_store=True),
        queries.SALES_BY_HOUR,
        extra={"per_store": True},
    ),
    Case("sales by category", dashboards.sales_by_category, queries.SALES_BY_CATEGORY),
    Case(
        "top and bottom 10 products",
        lambda c, f: dashboards.product_ranking(c, f, n=10),
        queries.PRODUCT_RANKING,
        extra={"n": 10, "by_units": False},
    ),
    Case("basket size and value per store and day", dashboards.basket_stats, queries.BASKETS),
    Case("tender mix", dashboards.tender_mix, queries.TENDER_MIX),
    Case("VAT by class", dashboards.vat_collected, queries.VAT),
    Case("voids, refunds, discounts, no-sales per cashier", dashboards.cashier_activity, queries.CASHIERS),
    Case("forecast vs actual", dashboards.forecast_vs_actual, queries.FORECAST_VS_ACTUAL, forecast_period),
    Case(
        "fraud alerts to review",
        dashboards.fraud_alerts,
        queries.FRAUD_ALERTS,
        extra={"status": "open", "limit": 200},
    ),
)


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def raw_connection(lake: Path, through: date) -> duckdb.DuckDBPyConnection:
    """Plain DuckDB over the same files our connection reads: the rollups, the reference and output
    tables, and the derived tables' files from `through` on (the live tail's views)."""
    connection = duckdb.connect(":memory:")
    connection.execute("SET TimeZone = 'UTC'")
    tables = (*ROLLUPS, ROLLUP_STATE, PRODUCTS, STORES, FORECASTS, FRAUD_ALERTS)
    for spec in tables:
        files = DeltaTable(str(spec.path(lake))).file_uris()
        hive = ", hive_partitioning = true, hive_types = {'month': DATE}" if spec.partition_by else ""
        connection.execute(f"SET VARIABLE {spec.name}_files = ?", [files])
        connection.execute(
            f"CREATE VIEW {spec.name} AS SELECT * FROM read_parquet(getvariable('{spec.name}_files'){hive})"
        )
    for spec in SOURCES:
        scope(connection, spec, DeltaTable(str(spec.path(lake))).file_uris(), since=through)
    return connection


def medians(work: Callable[[], Any]) -> float:
    return median([timed(work) for _ in range(RUNS)])


def time_cases(
    ours: duckdb.DuckDBPyConnection,
    raw: duckdb.DuckDBPyConnection,
    filters: Filters,
    advance: Callable[[], None],
) -> dict[str, dict[str, Any]]:
    """Per dashboard: the median ms through our function and of the same SQL in raw DuckDB."""
    timings = {}
    for case in CASES:
        params = bound_parameters(ours, case.sql, case.period(ours, filters), **case.extra)
        through_us = partial(case.call, ours, filters)
        raw_sql = partial(raw_query, raw, case.sql, params)
        through_us(), raw_sql()  # a first read of the files (cold page cache) is not what is measured
        runs = [1000 * timed(through_us) for _ in range(RUNS)]
        raw_runs = [1000 * timed(raw_sql) for _ in range(RUNS)]
        timings[case.label] = {
            "ms": median(runs),
            "raw_ms": median(raw_runs),
            "runs": runs,
            "raw_runs": raw_runs,
        }
        advance()
    return timings


def raw_query(connection: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any]) -> pa.Table:
    return connection.sql(sql, params=params).to_arrow_table()


def refresh_nightly(lake: Path) -> float:
    """A night's refresh: 30 Dec completes, so December is recomputed (from 29 Dec back to 30 Dec)."""
    dashboards.refresh_rollups(lake, through=TODAY - timedelta(days=2))
    return timed(lambda: dashboards.refresh_rollups(lake, through=TODAY - timedelta(days=1)))


def run(progress: Progress, sale_lines: int = SALE_LINES_DEFAULT) -> BenchResult:
    load_at_start = os.getloadavg()
    steps = progress.add_task(
        f"hq_queries: {sale_lines:,} sale lines, rollups, {len(CASES)} dashboards × {RUNS} (+ raw)",
        total=STORE_COUNT + 1 + RUNS + 2 * len(CASES) + len(CASES),
    )
    cached = (lake_dir(sale_lines) / "complete.json").exists()
    lake = build_lake(sale_lines, on_store=lambda: progress.advance(steps))
    progress.update(steps, completed=STORE_COUNT)
    through = TODAY - timedelta(days=1)
    rebuild_s = timed(lambda: dashboards.refresh_rollups(lake, through=through, full=True))
    progress.advance(steps)
    nightly_s = median([refresh_nightly(lake) for _ in range(RUNS)])
    progress.advance(steps, RUNS)
    connect_s = medians(lambda: dashboards.connect(lake).close())
    connect_limit_s = medians(lambda: query.connect(lake).close())
    ours, raw = dashboards.connect(lake), raw_connection(lake, through)
    try:
        year = time_cases(ours, raw, YEAR, lambda: progress.advance(steps))
        store = time_cases(ours, raw, ONE_STORE, lambda: progress.advance(steps))
    finally:
        raw.close()
    without = {}
    with query.connect(lake) as bare:  # no rollups: every day from the derived tables
        for case in CASES:
            without[case.label] = 1000 * timed(partial(case.call, bare, YEAR))
            progress.advance(steps)
    ours.close()
    result = report(year, rebuild_s, nightly_s, connect_s, connect_limit_s)
    result.details |= {
        "sale_lines": sale_lines,
        "lake": str(lake),
        "lake_cached": cached,
        "lake_facts": facts(lake),
        "year_ms": year,
        "one_store_one_category_ms": store,
        "without_rollups_ms": without,
        "loadavg_at_start": list(load_at_start),
    }
    if load_at_start[0] > 1.0:
        result.warnings.append(f"the machine was busy when the run started (load {load_at_start[0]:.1f})")
    return result


def report(
    year: dict[str, dict[str, Any]],
    rebuild_s: float,
    nightly_s: float,
    connect_s: float,
    connect_limit_s: float,
) -> BenchResult:
    result = BenchResult(NAME)
    for label, timing in year.items():
        figure = result.add(
            Figure(
                label,
                timing["ms"],
                "ms",
                "lower",
                timing["raw_ms"],
                "raw DuckDB, same SQL and files",
                "< 1 s",
            )
        )
        figure.met = figure.value < GOAL_MS
        if not figure.met:
            result.warnings.append(
                f"{label} took {figure.value:,.0f} ms over a year of the chain (goal: < 1 s)"
            )
    result.add(
        Figure(
            "connect (query.connect + rollups, tail views)",
            connect_s,
            "s",
            "lower",
            connect_limit_s,
            "query.connect alone",
        )
    )
    result.add(Figure("rollups: full rebuild of the year (1 run)", rebuild_s, "s"))
    result.add(Figure("rollups: nightly refresh (a month recomputed)", nightly_s, "s"))
    return result


def facts(lake: Path) -> dict[str, Any]:
    connection = query.connect(lake)
    try:
        counts = {
            name: connection.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
            for name in ("sale_lines", "sales", "payments", "receipt_vat", "returns", "products")
        }
    finally:
        connection.close()
    files = {spec.name: len(DeltaTable(str(spec.path(lake))).file_uris()) for spec in (*SOURCES, *ROLLUPS)}
    built = json.loads((lake / "complete.json").read_text())
    return {"rows": counts, "files": files, "lake_build_s": built["seconds"]}


def main() -> None:
    """`python -m bench.hq_queries --sale-lines 1000000`: the same benchmark on a smaller lake, printed
    only (var/bench/hq_queries.json stays the 20-million-line figures of `python -m bench hq_queries`)."""
    from rich.console import Console

    from bench.__main__ import table

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--sale-lines", type=int, default=SALE_LINES_DEFAULT)
    lines = parser.parse_args().sale_lines
    with Progress() as progress:
        result = run(progress, lines)
    Console(width=170).print(table([result]))


if __name__ == "__main__":
    main()
