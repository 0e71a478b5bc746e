"""`python -m bench [NAME ...]`: run the benchmarks (all, or those named), print one table of medians
beside their physical limits, and write var/bench/<name>.json for each."""

import argparse
import importlib
import sys
from collections.abc import Callable

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from bench.results import BenchResult, Figure

BENCHMARKS = ("edge_checkout", "edge_catalog", "sync_drain", "ingest", "till_ui", "train", "hq_queries")


def runner(name: str) -> Callable[[Progress], BenchResult]:
    module = importlib.import_module(f"bench.{name}")
    run: Callable[[Progress], BenchResult] = module.run
    return run


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _ratio(figure: Figure) -> str:
    ratio = figure.ratio
    return "" if ratio is None else f"{ratio:.1%}"


def _met(figure: Figure) -> str:
    return {True: "[green]yes[/]", False: "[red]no[/]", None: ""}[figure.met]


def table(results: list[BenchResult]) -> Table:
    out = Table(title="AIWebPOS benchmarks (medians; limit measured in the same run)")
    for column in ("benchmark", "figure", "median", "unit", "physical limit", "limit is", "of limit", "goal"):
        out.add_column(
            column, justify="right" if column in ("median", "physical limit", "of limit") else "left"
        )
    out.add_column("met", justify="center")
    for result in results:
        for i, figure in enumerate(result.figures):
            out.add_row(
                result.name if i == 0 else "",
                figure.name,
                _number(figure.value),
                figure.unit,
                _number(figure.limit),
                figure.limit_label,
                _ratio(figure),
                figure.goal,
                _met(figure),
                end_section=i == len(result.figures) - 1,
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)} (default: all)"
    )
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"no benchmark {', '.join(unknown)}: choose from {', '.join(BENCHMARKS)}")
    console = Console()
    if not console.is_terminal:  # a log or a pipe: wide enough that the table does not wrap
        console = Console(width=170)
    results = []
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    for name in names:
        with Progress(*columns, console=console, refresh_per_second=4) as progress:
            result = runner(name)(progress)
        path = result.write()
        console.print(f"{name}: wrote {path}")
        results.append(result)
    console.print(table(results))
    for result in results:
        for warning in result.warnings:
            console.print(f"[yellow]{result.name}: {warning}[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
