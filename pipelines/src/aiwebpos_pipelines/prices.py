"""A manager's decisions on the price recommendations: nothing changes a price without one.

`train-pricing` writes proposals (`price_recommendations`, all "proposed"); a decision is a row of
`price_decisions` (approved or rejected, by whom, when, with the proposal as it stood), written with the
lakehouse's one writer. HQ pushes the approved prices to the stores as `price.set` commands.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import polars as pl

from aiwebpos_cloud.lakehouse.tables import PRICE_DECISIONS
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter
from aiwebpos_pipelines import lake

Decision = Literal["approved", "rejected"]

LIST = """
    SELECT r.recommendation_id, r.store_id, r.sku, p.name, r.kind, r.current_price_cents,
           r.recommended_price_cents, r.change_pct, r.reason,
           coalesce(d.decision, r.status) AS status, d.decided_by, d.decided_at
    FROM price_recommendations r
    LEFT JOIN price_decisions d USING (recommendation_id)
    LEFT JOIN products p ON p.sku = r.sku
    ORDER BY r.kind, abs(r.expected_margin_change_cents) DESC
"""


class UnknownRecommendation(ValueError):
    """An id that is not among the current recommendations (nothing was decided)."""


def recommendations(lakehouse: Path) -> pl.DataFrame:
    """The current recommendations with their status: proposed, approved or rejected."""
    return lake.frames(lakehouse, {"r": LIST})["r"]


def decide(
    lakehouse: Path, ids: Sequence[str], decision: Decision, by: str, note: str | None = None
) -> pl.DataFrame:
    """Record `decision` on every id, all or nothing; returns the decided proposals."""
    current = lake.frames(lakehouse, {"r": "SELECT * FROM price_recommendations"})["r"]
    wanted = list(dict.fromkeys(ids))
    found = current.filter(pl.col("recommendation_id").is_in(wanted))
    missing = sorted(set(wanted) - set(found.get_column("recommendation_id").to_list()))
    if missing:
        raise UnknownRecommendation(
            f"no current price recommendation {', '.join(missing)} (see `aiwebpos-pipelines prices list`)"
        )
    rows = found.select(
        "recommendation_id",
        pl.lit(decision).alias("decision"),
        pl.lit(by).alias("decided_by"),
        pl.lit(datetime.now(UTC)).dt.cast_time_unit("us").alias("decided_at"),
        pl.lit(note, dtype=pl.String).alias("note"),
        "store_id",
        "sku",
        "kind",
        "current_price_cents",
        "recommended_price_cents",
    )
    LakehouseWriter(lakehouse).upsert(PRICE_DECISIONS, rows.to_arrow())
    return found
