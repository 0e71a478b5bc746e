"""The lakehouse side of reviews: what the models proposed (price recommendations, fraud alerts) and
the decisions written back. Each read opens its own small connection over the few tables it needs, so
a decision just made shows at once (the dashboards' shared connection may be a minute old)."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from aiwebpos_cloud.lakehouse.decisions import RECOMMENDATIONS
from aiwebpos_cloud.lakehouse.duck import locked_connection
from aiwebpos_cloud.lakehouse.outputs import FRAUD_ALERTS, PRICE_RECOMMENDATIONS
from aiwebpos_cloud.lakehouse.tables import FRAUD_LABELS, PRICE_DECISIONS, PRODUCTS
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter

TABLES = (PRICE_RECOMMENDATIONS, PRICE_DECISIONS, PRODUCTS, FRAUD_ALERTS)

ALERTS = """
    SELECT store_id, kind, ref, shift_id, cashier, occurred_at, score, reasons, model_version
    FROM fraud_alerts ORDER BY score DESC, occurred_at DESC NULLS LAST, ref
"""


def read(lakehouse: Path, sql: str, params: Sequence[Any] | None = None) -> pl.DataFrame:
    connection = locked_connection(lakehouse, TABLES)
    try:
        frame = pl.from_arrow(connection.sql(sql, params=list(params) if params else None).to_arrow_table())
        assert isinstance(frame, pl.DataFrame)
        return frame
    finally:
        connection.close()


def recommendations(lakehouse: Path) -> pl.DataFrame:
    return read(lakehouse, RECOMMENDATIONS)


def proposals(lakehouse: Path, ids: Sequence[str]) -> pl.DataFrame:
    """The current recommendations among `ids`, every column."""
    return read(
        lakehouse,
        "SELECT * FROM price_recommendations WHERE list_contains($1, recommendation_id)",
        [list(ids)],
    )


def alerts(lakehouse: Path) -> pl.DataFrame:
    return read(lakehouse, ALERTS)


def alert(lakehouse: Path, store_id: str, kind: str, ref: str) -> dict[str, Any] | None:
    rows = read(
        lakehouse,
        "SELECT * FROM fraud_alerts WHERE store_id = $1 AND kind = $2 AND ref = $3 LIMIT 1",
        [store_id, kind, ref],
    ).to_dicts()
    return rows[0] if rows else None


def record_price_decisions(lakehouse: Path, rows: pa.Table) -> None:
    LakehouseWriter(lakehouse).upsert(PRICE_DECISIONS, rows)


def record_label(lakehouse: Path, row: pa.Table) -> None:
    LakehouseWriter(lakehouse).upsert(FRAUD_LABELS, row)
