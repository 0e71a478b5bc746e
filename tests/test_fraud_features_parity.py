"""A store scores a transaction from its own events exactly as the cloud trains on the same events.

The node builds the fraud model's frames from the events in its outbox (`aiwebpos_edge.scoring
.fraud_frames`); the cloud derives the lakehouse tables from the same events and the flows read those.
A generated chain (voids, overrides, discounts, quick refunds, shifts with Z reports: every fraud
pattern) goes both ways here, and every feature of every sale, return and shift must agree.
"""

import json
from datetime import UTC, date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from aiwebpos_cloud.lakehouse.query import connect
from aiwebpos_edge.clock import iso
from aiwebpos_edge.scoring.fraud_frames import shift_frame, transaction_frames
from aiwebpos_models.fraud import transaction_features
from aiwebpos_models.fraud.shifts import shift_features
from aiwebpos_pipelines.history.generate import generate_history


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    lakehouse = tmp_path_factory.mktemp("parity") / "lakehouse"
    generate_history(lakehouse, stores=2, days=12, skus=60, seed=5, end=date(2026, 11, 20), workers=1)
    return lakehouse


def _events(lakehouse: Path) -> list[dict[str, Any]]:
    """The events as the node held them: type, store, moment and payload of each envelope."""
    with connect(lakehouse) as db:
        rows = db.execute(
            "SELECT type, store_id, occurred_at, payload FROM events"
            " WHERE type IN ('sale.completed', 'return.completed', 'shift.closed') ORDER BY store_id, seq"
        ).fetchall()
    return [
        {"type": t, "store_id": s, "occurred_at": iso(at.astimezone(UTC)), "payload": json.loads(p)}
        for t, s, at, p in rows
    ]


def _table(lakehouse: Path, sql: str) -> pl.DataFrame:
    with connect(lakehouse) as db:
        return db.sql(sql).pl()


def test_every_transaction_has_the_same_features_at_the_store_and_in_the_cloud(chain: Path) -> None:
    events = _events(chain)
    at_store = transaction_frames(events).features().sort("ref")
    in_cloud = transaction_features(
        _table(chain, "SELECT * FROM sales"),
        _table(chain, "SELECT * FROM sale_lines"),
        _table(chain, "SELECT * FROM payments"),
        _table(chain, "SELECT * FROM returns"),
    ).sort("ref")

    kinds = at_store.group_by("kind").len().sort("kind")
    assert kinds.rows() == [("return", kinds["len"][0]), ("sale", kinds["len"][1])] and kinds["len"].min() > 0
    assert at_store.filter(pl.col("voided_count") > 0).height > 0  # the chain has what fraud looks like
    assert at_store.filter(pl.col("overridden_lines") > 0).height > 0
    assert_frame_equal(at_store, in_cloud, check_dtypes=False, check_column_order=False)


def test_every_closed_shift_has_the_same_features_at_the_store_and_in_the_cloud(chain: Path) -> None:
    events = _events(chain)
    closed = [e for e in events if e["type"] == "shift.closed"]
    transactions = transaction_frames(events).features()
    at_store = shift_features(pl.concat([shift_frame(e) for e in closed]), transactions).sort("shift_id")
    in_cloud = shift_features(_table(chain, "SELECT * FROM shifts"), transactions).sort("shift_id")

    assert at_store.height == len(closed) > 10
    assert_frame_equal(at_store, in_cloud, check_dtypes=False, check_column_order=False)
