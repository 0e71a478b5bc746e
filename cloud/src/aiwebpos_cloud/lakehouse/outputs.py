"""What the models write back into the lakehouse, for HQ and the stores: each table replaced whole by the
flow that computes it (pipelines/), one Delta commit per run, so a reader sees one run's rows or the next's.

They are not functions of `events` (rebuild leaves them alone) and have no key: a run's output is the
answer, not a log.
"""

import pyarrow as pa  # type: ignore[import-untyped]

from aiwebpos_cloud.lakehouse.tables import TIMESTAMP, TableSpec


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in fields])


_MODEL = (("model", pa.string()), ("model_version", pa.string()))

FORECASTS = TableSpec(
    "forecasts",
    _schema(
        ("store_id", pa.string()),
        ("sku", pa.string()),
        ("date", pa.date32()),
        ("forecast", pa.float64()),
        ("origin", pa.date32()),
        *_MODEL,
    ),
    key=(),
    description="units each store will sell of each SKU, day by day over the next 28 days (train-forecast)",
)
REORDER_SUGGESTIONS = TableSpec(
    "reorder_suggestions",
    _schema(
        ("store_id", pa.string()),
        ("sku", pa.string()),
        ("on_hand", pa.float64()),
        ("on_order", pa.float64()),
        ("demand_over_lead_time", pa.float64()),
        ("safety_stock", pa.float64()),
        ("reorder_point", pa.float64()),
        ("suggested_qty", pa.int64()),
        ("cover_days", pa.float64()),
        *_MODEL,
    ),
    key=(),
    description="what to order per store × SKU: forecast over lead time + safety stock − on hand − on order",
)
FRAUD_ALERTS = TableSpec(
    "fraud_alerts",
    _schema(
        ("kind", pa.string()),
        ("ref", pa.string()),
        ("store_id", pa.string()),
        ("shift_id", pa.string()),
        ("cashier", pa.string()),
        ("occurred_at", TIMESTAMP),
        ("score", pa.float64()),
        ("reasons", pa.string()),
        *_MODEL,
        ("status", pa.string()),
    ),
    key=(),
    description="transactions and cashier shifts the fraud model scores ≥ 0.5, with its reasons, to review",
)
PRICE_RECOMMENDATIONS = TableSpec(
    "price_recommendations",
    _schema(
        ("recommendation_id", pa.string()),
        ("store_id", pa.string()),
        ("sku", pa.string()),
        ("kind", pa.string()),
        ("current_price_cents", pa.int64()),
        ("recommended_price_cents", pa.int64()),
        ("change_pct", pa.float64()),
        ("elasticity", pa.float64()),
        ("expected_units_change_pct", pa.float64()),
        ("expected_margin_change_cents", pa.int64()),
        ("reason", pa.string()),
        ("status", pa.string()),
        *_MODEL,
    ),
    key=(),
    description="markdowns and price moves proposed by train-pricing; never applied until a manager approves",
)

OUTPUTS: tuple[TableSpec, ...] = (FORECASTS, REORDER_SUGGESTIONS, FRAUD_ALERTS, PRICE_RECOMMENDATIONS)
OUTPUT_BY_NAME = {spec.name: spec for spec in OUTPUTS}
