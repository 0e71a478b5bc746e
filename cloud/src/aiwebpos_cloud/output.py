"""How `aiwebpos-cloud sql` prints a result: a rich table for people, JSON rows for programs."""

import sys
from typing import Any

import msgspec
from rich.console import Console
from rich.table import Table

from aiwebpos_cloud.lakehouse.query import QueryResult

# Decimals (quantities, rates) as strings, like the contracts; times as RFC 3339; bytes as base64.
_encoder = msgspec.json.Encoder(decimal_format="string")


def rows_as_objects(result: QueryResult) -> list[dict[str, Any]]:
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def print_json(result: QueryResult) -> None:
    sys.stdout.write(_encoder.encode(rows_as_objects(result)).decode() + "\n")


def print_table(result: QueryResult, max_rows: int) -> None:
    table = Table(show_lines=False, header_style="bold")
    for name, kind in zip(result.columns, result.types, strict=True):
        numeric = kind.startswith(
            ("BIGINT", "INTEGER", "HUGEINT", "DOUBLE", "DECIMAL", "SMALLINT", "UBIGINT")
        )
        table.add_column(name, justify="right" if numeric else "left")
    for row in result.rows[:max_rows]:
        table.add_row(*("[dim]NULL[/dim]" if value is None else _cell(value) for value in row))
    console = Console()
    console.print(table)
    shown = min(len(result.rows), max_rows)
    more = f" (showing {shown}; use --max-rows or --json for all)" if shown < len(result.rows) else ""
    console.print(f"{len(result.rows)} row{'s' if len(result.rows) != 1 else ''}{more}", style="dim")


def _cell(value: object) -> str:
    from rich.markup import escape

    return escape(str(value))
