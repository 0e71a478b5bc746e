"""`aiwebpos-pipelines generate`: a chain's history into a lakehouse, with a progress bar and a summary."""

from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from aiwebpos_pipelines.history.generate import (
    MAX_DAYS,
    MAX_STORES,
    MIN_SKUS,
    HistoryError,
    HistoryProgress,
    HistorySummary,
    generate_history,
)


def _date(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date: give it as YYYY-MM-DD, e.g. 2026-06-30") from exc


@click.command()
@click.option(
    "--lakehouse",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    envvar="AIWEBPOS_LAKEHOUSE",
    help="The lakehouse directory to write into (created if missing). Env: AIWEBPOS_LAKEHOUSE.",
)
@click.option(
    "--stores", default=3, show_default=True, type=click.IntRange(1, MAX_STORES), help="Stores in the chain."
)
@click.option(
    "--days", default=365, show_default=True, type=click.IntRange(1, MAX_DAYS), help="Days of history."
)
@click.option(
    "--skus", default=300, show_default=True, type=click.IntRange(min=MIN_SKUS), help="SKUs in the catalog."
)
@click.option("--seed", default=0, show_default=True, type=int, help="The same seed gives the same history.")
@click.option(
    "--end",
    default=None,
    callback=_date,
    help="The last day of the history, YYYY-MM-DD (default: yesterday).",
)
@click.option(
    "--first-store",
    default=1,
    show_default=True,
    type=click.IntRange(1, MAX_STORES),
    help="The chain number of the first store (1: MSU-01, 3: MPT-03), to leave the stores before it to "
    "live nodes or another history.",
)
def generate(
    lakehouse: Path, stores: int, days: int, skus: int, seed: int, end: date | None, first_store: int
) -> None:
    """Generate a realistic history of a Lesotho retail chain into the lakehouse, as its store nodes would
    have sent it: sales, returns, shifts with Z reports, stock deliveries and counts, cashier fraud with
    ground-truth labels (table `fraud_labels`), the catalog (`products`) and the stores (`stores`).

    It refuses a lakehouse that already holds events of the stores it would generate."""
    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        console=console,
    )
    with bar:
        days_task = bar.add_task("days", total=days, note="")
        derive_task = bar.add_task("events", total=None, note="")

        def show(step: HistoryProgress) -> None:
            bar.update(days_task, completed=step.days_done, note="generated")
            bar.update(
                derive_task,
                total=max(step.events_written, 1),
                completed=step.events_derived,
                note=f"derived of {step.events_written:,} written",
            )

        try:
            summary = generate_history(
                lakehouse, stores, days, skus, seed, end, progress=show, first_store=first_store
            )
        except HistoryError as exc:
            raise click.ClickException(str(exc)) from exc
    _print_summary(Console(), summary)


def _print_summary(console: Console, summary: HistorySummary) -> None:
    table = Table(
        "", "", title=f"history of {len(summary.stores)} stores in {summary.lakehouse}", show_header=False
    )
    rows = [
        ("days", f"{summary.days} ({summary.first_day} … {summary.last_day})"),
        ("stores", ", ".join(summary.stores)),
        ("SKUs", f"{summary.skus:,}"),
        ("events", f"{summary.events:,}"),
        ("sales", f"{summary.sales:,}"),
        ("returns", f"{summary.returns:,}"),
        ("cancelled sales", f"{summary.cancelled_sales:,}"),
        ("no-sales", f"{summary.no_sales:,}"),
        ("shifts", f"{summary.shifts:,}"),
        ("stock movements", f"{summary.stock_movements:,}"),
        ("promotions", f"{summary.promotions:,} (and {summary.price_changes:,} regular price changes)"),
        ("stock-out days", f"{summary.stockout_days:,} (store × SKU × day)"),
        ("fraud labels", f"{summary.fraud_labels:,}"),
        ("fraudsters", "\n".join(summary.fraudsters)),
        (
            "true elasticities",
            "\n".join(f"{name}: {value:+.2f}" for name, value in summary.elasticities.items()),
        ),
        (
            "time",
            f"{summary.seconds:.1f} s: {summary.generate_seconds:.1f} s generating and writing events "
            f"({summary.events_per_second:,.0f} events/s), {summary.derive_seconds:.1f} s deriving the tables",
        ),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
