"""A manager's decisions on the price recommendations: nothing changes a price without one.

`train-pricing` writes proposals (`price_recommendations`, all "proposed"); a decision is a row of
`price_decisions` (approved or rejected, by whom, when, with the proposal as it stood), written with the
lakehouse's one writer. HQ pushes the approved prices to the stores as `price.set` commands.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from aiwebpos_cloud.lakehouse.decisions import RECOMMENDATIONS, Decision, price_decision_rows
from aiwebpos_cloud.lakehouse.tables import PRICE_DECISIONS
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter
from aiwebpos_pipelines import lake

__all__ = ["Decision", "UnknownRecommendation", "decide", "recommendations"]


class UnknownRecommendation(ValueError):
    """An id that is not among the current recommendations (nothing was decided)."""


def recommendations(lakehouse: Path) -> pl.DataFrame:
    """The current recommendations with their status: proposed, approved or rejected."""
    return lake.frames(lakehouse, {"r": RECOMMENDATIONS})["r"]


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
    rows = price_decision_rows(found, decision, by, note, datetime.now(UTC))
    LakehouseWriter(lakehouse).upsert(PRICE_DECISIONS, rows)
    return found
