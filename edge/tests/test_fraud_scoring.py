"""Local fraud scoring: every completed sale, return and closed shift is scored with the loaded model after
it commits, the score and its reasons travel in the event, and a manager reviews them on the node. The
cashier never waits: without a model, or with one that fails, the events leave unscored."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest
from catalog_codes import COKE_2L, MAIZE_10KG, SUGAR
from edge_support import Shop
from litestar.testing import AsyncTestClient
from model_release_kit import FRAUD, fraud_frames, fraud_transactions

from aiwebpos_contracts import decode_envelope
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.node import Node
from aiwebpos_edge.scoring.registry import LoadedModel
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.sync import outbox
from aiwebpos_models.fraud import FraudModel


@pytest.fixture(scope="module")
def fraud_model() -> FraudModel:
    return FraudModel(trees=20).fit(fraud_transactions(), fraud_frames()["shifts"])


def _node(client: AsyncTestClient[Any]) -> Node:
    node: Node = client.app.state.node
    return node


def _use(client: AsyncTestClient[Any], model: object, version: str = "7") -> None:
    _node(client).models.swap(LoadedModel(FRAUD, version, "ab" * 32, "2026-11-23T08:00:00.000Z", model))


def _payloads(settings: NodeSettings, event_type: str) -> list[dict[str, Any]]:
    conn = connect(settings.db_path, readonly=True)
    rows = conn.execute("SELECT envelope FROM outbox WHERE type = ? ORDER BY seq", (event_type,)).fetchall()
    conn.close()
    return [decode_envelope(row[0]).payload for row in rows]


async def _until(check: Callable[[], bool], what: str) -> None:
    # The scorer is a niced process: on a machine busy with other work it takes its turn.
    deadline = time.monotonic() + 90
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def _sale_with_voids(shop: Shop, shift_id: str, voids: int) -> dict[str, Any]:
    sale_id = await shop.new_sale(shift_id)
    sale = await shop.scan(sale_id, SUGAR)
    for _ in range(voids):
        sale = await shop.scan(sale_id, COKE_2L, quantity="2")
        line = sale["lines"][-1]["line_id"]
        voided = await shop.call(
            "DELETE", f"/api/v1/sales/{sale_id}/lines/{line}", json={"reason": "changed mind"}
        )
        assert voided.status_code == 200, voided.text
        sale = voided.json()
    await shop.pay(sale_id, "cash", sale["cash_due_cents"])
    receipt: dict[str, Any] = await shop.complete(sale_id)
    return receipt


async def test_a_sale_with_many_voids_is_scored_with_its_reasons_in_the_event_and_for_the_manager(
    shop: Shop, client: AsyncTestClient[Any], node_settings: NodeSettings, fraud_model: FraudModel
) -> None:
    _use(client, fraud_model)
    shift_id = await shop.open_shift()
    plain = await shop.sell(shift_id, MAIZE_10KG)
    suspicious = await _sale_with_voids(shop, shift_id, voids=3)

    def both_scored() -> bool:
        return all(p.get("fraud") for p in _payloads(node_settings, "sale.completed"))

    await _until(both_scored, "both sales to carry their fraud score")
    by_receipt = {p["receipt"]["receipt_no"]: p["fraud"] for p in _payloads(node_settings, "sale.completed")}
    flagged = by_receipt[suspicious["receipt_no"]]
    assert flagged["model"] == FRAUD and flagged["version"] == "7"
    assert flagged["score"] >= 0.5
    assert any("3 line(s) voided" in reason for reason in flagged["reasons"]), flagged
    assert by_receipt[plain["receipt_no"]]["score"] < 0.5
    assert not any("voided" in r for r in by_receipt[plain["receipt_no"]]["reasons"])

    answer = await shop.get("/api/v1/fraud/scores", role="manager", params={"min_score": 0.5})
    assert answer.status_code == 200, answer.text
    [row] = answer.json()
    assert (row["kind"], row["ref"], row["cashier"], row["status"]) == (
        "sale",
        suspicious["receipt_no"],
        "thabo",
        "scored",
    )
    assert row["reasons"] == flagged["reasons"] and row["total_cents"] == suspicious["total_cents"]
    assert (await shop.get("/api/v1/fraud/scores")).status_code == 403  # not for the cashier's eyes


async def test_a_quick_cash_refund_by_the_seller_and_the_closed_shift_are_scored(
    shop: Shop, client: AsyncTestClient[Any], node_settings: NodeSettings, fraud_model: FraudModel
) -> None:
    _use(client, fraud_model)
    shift_id = await shop.open_shift()
    receipt = await shop.sell(shift_id, COKE_2L, SUGAR)
    for _ in range(3):
        await _sale_with_voids(shop, shift_id, voids=2)
    refund = await shop.post(
        "/api/v1/returns",
        {
            "receipt_no": receipt["receipt_no"],
            "terminal_id": "T1",
            "lines": [{"line_id": receipt["lines"][0]["line_id"], "quantity": "1"}],
            "refund_method": "cash",
            "reason": "customer changed mind",
        },
    )
    assert refund.status_code == 201, refund.text
    closed = await shop.post(
        f"/api/v1/shifts/{shift_id}/close", {"counted_cash_cents": 50_000}, role="manager"
    )
    assert closed.status_code == 200, closed.text

    await _until(lambda: bool(_payloads(node_settings, "shift.closed")[0].get("fraud")), "the shift's score")
    [returned] = _payloads(node_settings, "return.completed")
    await _until(lambda: bool(_payloads(node_settings, "return.completed")[0].get("fraud")), "the refund's")
    [returned] = _payloads(node_settings, "return.completed")
    assert any("cash refund 0 min after the sale" in r for r in returned["fraud"]["reasons"]), returned[
        "fraud"
    ]
    assert any("cashier who made the sale" in r for r in returned["fraud"]["reasons"])
    [shift] = _payloads(node_settings, "shift.closed")
    assert shift["fraud"]["model"] == FRAUD
    # 6 of the shift's 7 lines scanned were voided, and one refund came within the hour, in cash:
    assert any("void" in r for r in shift["fraud"]["reasons"]), shift["fraud"]
    assert shift["fraud"]["score"] >= 0.5

    answer = await shop.get("/api/v1/fraud/scores", role="manager", params={"kind": "shift"})
    [row] = answer.json()
    assert (row["ref"], row["score"]) == (shift_id, shift["fraud"]["score"])


async def test_without_a_model_nothing_is_held_and_nothing_is_scored(
    shop: Shop, client: AsyncTestClient[Any], node_settings: NodeSettings
) -> None:
    await shop.sell(await shop.open_shift(), SUGAR)
    conn = connect(node_settings.db_path, readonly=True)
    held = conn.execute("SELECT COUNT(*) FROM outbox WHERE held_until IS NOT NULL").fetchone()[0]
    ready = outbox.unpublished(conn, after=0, limit=100)
    conn.close()
    assert held == 0
    assert "sale.completed" in [event_type for _, event_type, _ in ready]
    [payload] = _payloads(node_settings, "sale.completed")
    assert payload.get("fraud") is None
    [row] = (await shop.get("/api/v1/fraud/scores", role="manager")).json()
    assert (row["status"], row["score"], row["reasons"]) == ("unscored", None, [])


class BrokenModel:
    """A model that loaded but fails when asked (a bug in a release): the sale must still go out."""

    def score_transactions(self, frame: object) -> object:
        raise RuntimeError("broken release")


async def test_a_failing_model_lets_the_events_go_unscored_at_once(
    shop: Shop, client: AsyncTestClient[Any], node_settings: NodeSettings
) -> None:
    _use(client, BrokenModel())
    receipt = await shop.sell(await shop.open_shift(), SUGAR)

    def given_up() -> bool:
        conn = connect(node_settings.db_path, readonly=True)
        status = conn.execute("SELECT status FROM fraud_scores").fetchone()[0]
        conn.close()
        return bool(status == "unscored")

    await _until(given_up, "the scorer to give the sale up")
    [row] = (await shop.get("/api/v1/fraud/scores", role="manager")).json()
    assert (row["ref"], row["status"]) == (receipt["receipt_no"], "unscored")
    conn = connect(node_settings.db_path, readonly=True)
    ready = outbox.unpublished(conn, after=0, limit=100)
    conn.close()
    assert "sale.completed" in [event_type for _, event_type, _ in ready]  # released, not held
    [payload] = _payloads(node_settings, "sale.completed")
    assert payload.get("fraud") is None


async def test_a_held_event_stops_publishing_in_order_until_scored_or_timed_out(
    shop: Shop, client: AsyncTestClient[Any], node_settings: NodeSettings, fraud_model: FraudModel
) -> None:
    """The cloud reads a store's events in seq order: nothing after a held event leaves before it."""
    _use(client, fraud_model)
    scorer_wake = _node(client).wake_scorer
    _node(client).wake_scorer = lambda: None  # the scorer sleeps (it still rechecks every few seconds)
    await shop.sell(await shop.open_shift(), SUGAR)
    await shop.open_shift(terminal_id="T2")  # an event after the held sale
    conn = connect(node_settings.db_path, readonly=True)
    try:
        [(seq, held_until)] = conn.execute(
            "SELECT seq, held_until FROM outbox WHERE held_until IS NOT NULL"
        ).fetchall()
        ready = outbox.unpublished(conn, after=0, limit=100)
        assert ready and max(s for s, _, _ in ready) == seq - 1
        assert held_until - time.time() <= node_settings.fraud_hold_seconds
    finally:
        conn.close()
    _node(client).wake_scorer = scorer_wake  # the scorer's periodic recheck finds the sale

    def scored() -> bool:
        c = connect(node_settings.db_path, readonly=True)
        status = c.execute("SELECT status FROM fraud_scores WHERE kind = 'sale'").fetchone()[0]
        c.close()
        return bool(status == "scored")

    await _until(scored, "the held sale to be scored")
    c = connect(node_settings.db_path, readonly=True)
    ready = outbox.unpublished(c, after=0, limit=100)
    total = c.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
    c.close()
    assert len(ready) == total  # the hold is gone with the score
    [payload] = _payloads(node_settings, "sale.completed")
    assert payload["fraud"]["model"] == FRAUD
