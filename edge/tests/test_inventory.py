import json
from contextlib import closing
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from edge_support import STORE_ID, Api

from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.inventory.service import on_hand, record_movement
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.tx import Tx

ADJUST = "/api/v1/stock/adjustments"


def _rows(settings: NodeSettings, sql: str, *args: Any) -> list[Any]:
    with closing(connect(settings.db_path, readonly=True)) as conn:
        return [tuple(row) for row in conn.execute(sql, args)]


def _events(settings: NodeSettings) -> list[dict[str, Any]]:
    rows = _rows(settings, "SELECT envelope FROM outbox WHERE type = 'stock.moved' ORDER BY seq")
    return [json.loads(row[0])["payload"] for row in rows]


def _audits(settings: NodeSettings) -> list[dict[str, Any]]:
    rows = _rows(settings, "SELECT details FROM audit_log WHERE action = 'stock.adjusted' ORDER BY id")
    return [json.loads(row[0]) for row in rows]


def _sum_of_movements(settings: NodeSettings, sku: str) -> int:
    [(total,)] = _rows(
        settings,
        "SELECT COALESCE(SUM(m.quantity_milli), 0) FROM stock_movements m"
        " JOIN products p ON p.id = m.product_id WHERE p.sku = ?",
        sku,
    )
    return int(total)


async def _product(api: Api, sku: str = "MAIZE-10", unit: str = "each") -> None:
    body = {"sku": sku, "name": f"{sku} product", "price_cents": 12_999, "vat_class": "zero", "barcodes": []}
    answer = await api.post("/api/v1/products", {**body, "unit": unit, "category": "staples"}, role="manager")
    assert answer.status_code == 201, answer.text


async def _adjust(api: Api, kind: str, quantity: str, sku: str = "MAIZE-10", role: str = "manager") -> Any:
    body = {"sku": sku, "kind": kind, "quantity": quantity, "reason": f"{kind} by {role}"}
    answer = await api.post(ADJUST, body, role=role)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_receipts_adjustments_and_counts_move_on_hand(api: Api, node_settings: NodeSettings) -> None:
    await _product(api)
    received = await _adjust(api, "receipt", "24", role="logistics")
    assert received["sku"] == "MAIZE-10" and received["on_hand"] == "24"
    assert received["movement"]["kind"] == "receipt" and received["movement"]["quantity"] == "24"
    assert received["movement"]["user"] == "mpho" and received["movement"]["reason"] == "receipt by logistics"
    assert (await _adjust(api, "adjustment", "-2"))["on_hand"] == "22"
    counted = await _adjust(api, "count", "20")
    assert counted["on_hand"] == "20" and counted["movement"]["quantity"] == "-2"
    assert _sum_of_movements(node_settings, "MAIZE-10") == 20_000

    assert [(e["kind"], e["quantity"], e["on_hand"]) for e in _events(node_settings)] == [
        ("receipt", "24", "24"),
        ("adjustment", "-2", "22"),
        ("count", "-2", "20"),
    ]
    audits = _audits(node_settings)
    assert [(a["kind"], a["quantity"], a["on_hand_before"], a["on_hand"]) for a in audits] == [
        ("receipt", "24", "0", "24"),
        ("adjustment", "-2", "24", "22"),
        ("count", "-2", "22", "20"),
    ]
    stock = await api.get("/api/v1/stock/MAIZE-10", role="analyst")
    assert stock.status_code == 200
    body = stock.json()
    assert (body["sku"], body["name"], body["unit"], body["on_hand"]) == (
        "MAIZE-10",
        "MAIZE-10 product",
        "each",
        "20",
    )
    assert [m["kind"] for m in body["movements"]] == ["count", "adjustment", "receipt"], "latest first"


async def test_weighed_goods_move_in_kilograms(api: Api, node_settings: NodeSettings) -> None:
    await _product(api, "BEEF-MINCE", unit="kg")
    assert (await _adjust(api, "receipt", "12.5", "BEEF-MINCE"))["on_hand"] == "12.500"
    assert (await _adjust(api, "adjustment", "-0.250", "BEEF-MINCE"))["on_hand"] == "12.250"
    emptied = await _adjust(api, "count", "0", "BEEF-MINCE")
    assert emptied["on_hand"] == "0.000" and emptied["movement"]["quantity"] == "-12.250"
    assert _sum_of_movements(node_settings, "BEEF-MINCE") == 0


@pytest.mark.parametrize(
    ("change", "role", "status"),
    [
        ({"sku": "NOPE"}, "manager", 404),
        ({"kind": "adjustment", "quantity": "0"}, "manager", 422),
        ({"kind": "adjustment", "quantity": "-0.0"}, "manager", 422),
        ({"kind": "receipt", "quantity": "-3"}, "manager", 422),
        ({"kind": "receipt", "quantity": "0"}, "manager", 422),
        ({"kind": "count", "quantity": "-1"}, "manager", 422),
        ({"quantity": "1.5"}, "manager", 422),
        ({"quantity": "lots"}, "manager", 422),
        ({"quantity": ""}, "manager", 422),
        ({"quantity": "9" * 5000}, "manager", 422),
        ({"kind": "count", "quantity": "100001"}, "manager", 422),
        ({"reason": "  "}, "manager", 422),
        ({"kind": "theft"}, "manager", 400),
        ({"bin": "A3"}, "manager", 400),
        ({"quantity": 5}, "manager", 400),
        ({}, "cashier", 403),
        ({}, "analyst", 403),
    ],
)
async def test_bad_stock_changes_are_refused_and_change_nothing(
    api: Api, node_settings: NodeSettings, change: dict[str, Any], role: str, status: int
) -> None:
    await _product(api)
    body = {"sku": "MAIZE-10", "kind": "adjustment", "quantity": "5", "reason": "found in the back", **change}
    answer = await api.post(ADJUST, body, role=role)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]
    assert _rows(node_settings, "SELECT COUNT(*) FROM stock_movements") == [(0,)]
    assert not _events(node_settings) and not _audits(node_settings)


async def test_stock_of_an_unknown_sku_is_not_found_and_cashiers_do_not_see_stock(api: Api) -> None:
    await _product(api)
    missing = await api.get("/api/v1/stock/NOPE", role="manager")
    assert missing.status_code == 404 and "NOPE" in missing.json()["detail"]
    assert (await api.get("/api/v1/stock/MAIZE-10", role="cashier")).status_code == 403
    assert (await api.get("/api/v1/stock/MAIZE-10", role="logistics")).json()["on_hand"] == "0"


async def test_sales_move_stock_without_an_event_of_their_own(
    api: Api, node_settings: NodeSettings, clock: SettableClock
) -> None:
    await _product(api)
    await _adjust(api, "receipt", "10")
    with closing(connect(node_settings.db_path)) as conn:
        tx = Tx(conn, clock.now(), STORE_ID, ZoneInfo("Africa/Maseru"))
        product_id = conn.execute("SELECT id FROM products WHERE sku = 'MAIZE-10'").fetchone()[0]
        conn.execute("BEGIN IMMEDIATE")
        record_movement(
            tx,
            product_id=product_id,
            quantity_milli=-3_000,
            kind="sale",
            reference="s1",
            reason=None,
            user_id=None,
        )
        record_movement(
            tx,
            product_id=product_id,
            quantity_milli=1_000,
            kind="transfer_in",
            reference="from MSU-02",
            reason="short at MSU-01",
            user_id=None,
            emit_sku="MAIZE-10",
        )
        assert on_hand(tx, product_id) == 8_000
        conn.execute("COMMIT")
    assert [(e["kind"], e["quantity"], e["on_hand"]) for e in _events(node_settings)] == [
        ("receipt", "10", "10"),
        ("transfer_in", "1", "8"),
    ]
    assert (await api.get("/api/v1/stock/MAIZE-10", role="manager")).json()["on_hand"] == "8"
    assert _sum_of_movements(node_settings, "MAIZE-10") == 8_000
