"""Helpers of the history tests: SQL over the generated lakehouse, events decoded into their Structs."""

from pathlib import Path
from typing import Any

import msgspec

from aiwebpos_cloud.lakehouse.query import run_query
from aiwebpos_contracts import EVENT_PAYLOADS


def rows(lakehouse: Path, sql: str) -> list[dict[str, Any]]:
    result = run_query(lakehouse, sql)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def scalar(lakehouse: Path, sql: str) -> Any:
    return run_query(lakehouse, sql).rows[0][0]


def payloads(lakehouse: Path, event_type: str, where: str = "") -> list[Any]:
    """The payloads of one event type as their contract Structs, in (store, seq) order."""
    found = rows(
        lakehouse,
        f"SELECT payload FROM events WHERE type = '{event_type}' {where} ORDER BY store_id, seq",
    )
    return [msgspec.json.decode(row["payload"], type=EVENT_PAYLOADS[event_type]) for row in found]
