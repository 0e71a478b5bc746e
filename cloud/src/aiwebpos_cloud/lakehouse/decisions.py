"""People's decisions on what the models propose, as rows of the lakehouse's reference tables: a
manager's verdict on a price recommendation (`price_decisions`), and a reviewer's confirmation that an
alert was fraud (`fraud_labels`, source "review", which the next fraud training is measured against).

Shared by `aiwebpos-pipelines prices decide` and HQ's review page, so both record the same rows.
"""

from datetime import date, datetime
from typing import Literal

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from aiwebpos_cloud.lakehouse.tables import FRAUD_LABELS, PRICE_DECISIONS

Decision = Literal["approved", "rejected"]

# The current recommendations with their status: proposed until a decision says otherwise.
RECOMMENDATIONS = """
    SELECT r.recommendation_id, r.store_id, r.sku, p.name, r.kind, r.current_price_cents,
           r.recommended_price_cents, r.change_pct, r.reason,
           coalesce(d.decision, r.status) AS status, d.decided_by, d.decided_at
    FROM price_recommendations r
    LEFT JOIN price_decisions d USING (recommendation_id)
    LEFT JOIN products p ON p.sku = r.sku
    ORDER BY r.kind, abs(r.expected_margin_change_cents) DESC
"""


def price_decision_rows(
    found: pl.DataFrame, decision: Decision, by: str, note: str | None, at: datetime
) -> pa.Table:
    """`found`: rows of `price_recommendations` (all columns) → the `price_decisions` rows recording
    `decision` on each, with the proposal as it stood."""
    rows = found.select(
        "recommendation_id",
        pl.lit(decision).alias("decision"),
        pl.lit(by).alias("decided_by"),
        pl.lit(at).dt.cast_time_unit("us").alias("decided_at"),
        pl.lit(note, dtype=pl.String).alias("note"),
        "store_id",
        "sku",
        "kind",
        "current_price_cents",
        "recommended_price_cents",
    )
    return rows.to_arrow().cast(PRICE_DECISIONS.schema)


def review_label_row(
    *,
    store_id: str,
    day: date,
    kind: str,
    ref: str,
    shift_id: str | None,
    cashier: str,
    note: str,
    at: datetime,
) -> pa.Table:
    """The `fraud_labels` row of an alert a reviewer confirmed as fraud (one per alert: its id is the
    alert's, so confirming it twice keeps one label)."""
    return pa.Table.from_pylist(
        [
            {
                "label_id": f"review:{store_id}:{kind}:{ref}",
                "store_id": store_id,
                "date": day,
                "kind": kind,
                "ref": ref,
                "shift_id": shift_id,
                "cashier": cashier,
                "pattern": note or "confirmed at HQ review",
                "source": "review",
                "labelled_at": at,
            }
        ],
        schema=FRAUD_LABELS.schema,
    )
