import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from edge_support import STORE_ID, Api

from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.errors import Conflict, NotFound
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.shifts.service import open_shift_of, require_open_shift
from aiwebpos_edge.tx import Tx


def _events(settings: NodeSettings, event_type: str) -> list[dict[str, Any]]:
    with closing(connect(settings.db_path, readonly=True)) as conn:
        rows = conn.execute("SELECT envelope FROM outbox WHERE type = ? ORDER BY seq", (event_type,))
        return [json.loads(row[0]) for row in rows]


def _audits(settings: NodeSettings, action: str) -> list[dict[str, Any]]:
    with closing(connect(settings.db_path, readonly=True)) as conn:
        rows = conn.execute("SELECT details FROM audit_log WHERE action = ? ORDER BY id", (action,))
        return [json.loads(row[0]) for row in rows]


def _count(settings: NodeSettings, table: str) -> int:
    with closing(connect(settings.db_path, readonly=True)) as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


async def _open(api: Api, terminal_id: str = "T1", float_cents: int = 50_000, role: str = "cashier") -> str:
    answer = await api.post(
        "/api/v1/shifts", {"terminal_id": terminal_id, "opening_float_cents": float_cents}, role=role
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_a_cashier_opens_a_shift_and_it_is_announced_and_audited(
    api: Api, node_settings: NodeSettings
) -> None:
    answer = await api.post("/api/v1/shifts", {"terminal_id": "T1", "opening_float_cents": 50_000})
    assert answer.status_code == 201
    body = answer.json()
    assert body == {
        "id": body["id"],
        "terminal_id": "T1",
        "cashier": "thabo",
        "status": "open",
        "opened_at": "2026-11-23T08:00:00.000Z",
        "opening_float_cents": 50_000,
    }
    [event] = _events(node_settings, "shift.opened")
    assert event["terminal_id"] == "T1"
    assert event["payload"] == {
        "shift_id": body["id"],
        "terminal_id": "T1",
        "cashier": "thabo",
        "opened_at": "2026-11-23T08:00:00.000Z",
        "opening_float_cents": 50_000,
    }
    [audit] = _audits(node_settings, "shift.opened")
    assert audit["shift_id"] == body["id"] and audit["opening_float_cents"] == 50_000


async def test_opening_a_second_shift_on_a_terminal_is_refused(api: Api, node_settings: NodeSettings) -> None:
    await _open(api, "T1")
    again = await api.post("/api/v1/shifts", {"terminal_id": "T1", "opening_float_cents": 0}, role="cashier2")
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "terminal T1 already has an open shift (opened by thabo at 10:00): close it first"
    )
    await _open(api, "T2", role="cashier2")  # another terminal is another drawer
    assert len(_events(node_settings, "shift.opened")) == 2 and _count(node_settings, "shifts") == 2


@pytest.mark.parametrize(
    ("body", "role", "status"),
    [
        ({"terminal_id": "T1", "opening_float_cents": -1}, "cashier", 422),
        ({"terminal_id": "T1", "opening_float_cents": 10**20}, "cashier", 422),
        ({"terminal_id": "  ", "opening_float_cents": 0}, "cashier", 422),
        ({"terminal_id": "T1"}, "cashier", 400),
        ({"terminal_id": "T1", "opening_float_cents": "five"}, "cashier", 400),
        ({"terminal_id": "T1", "opening_float_cents": 0, "till": 3}, "cashier", 400),
        ({"terminal_id": "T1", "opening_float_cents": 0}, "analyst", 403),
    ],
)
async def test_bad_shift_openings_are_refused_and_change_nothing(
    api: Api, node_settings: NodeSettings, body: dict[str, Any], role: str, status: int
) -> None:
    answer = await api.post("/api/v1/shifts", body, role=role)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]
    assert _count(node_settings, "shifts") == 0 and not _events(node_settings, "shift.opened")


async def test_shifts_are_listed_by_terminal_and_status_and_shown(api: Api) -> None:
    first = await _open(api, "T1")
    second = await _open(api, "T2", role="cashier2")
    closed = await api.post(f"/api/v1/shifts/{first}/close", {"counted_cash_cents": 50_000})
    assert closed.status_code == 200
    listed = await api.get("/api/v1/shifts", role="analyst")
    assert {s["id"] for s in listed.json()} == {first, second}
    open_ones = await api.get("/api/v1/shifts", params={"status": "open"})
    assert [s["id"] for s in open_ones.json()] == [second]
    on_t1 = await api.get("/api/v1/shifts", params={"terminal_id": "T1"})
    assert [(s["id"], s["status"], s["counted_cash_cents"]) for s in on_t1.json()] == [
        (first, "closed", 50_000)
    ]
    assert (await api.get("/api/v1/shifts", params={"status": "lost"})).status_code == 400
    shown = await api.get(f"/api/v1/shifts/{second}")
    assert shown.status_code == 200 and shown.json()["cashier"] == "palesa"
    missing = await api.get("/api/v1/shifts/nope")
    assert missing.status_code == 404 and missing.json()["detail"] == "no shift nope"
    assert (await api.get(f"/api/v1/shifts/{second}", role="hr")).status_code == 403


async def test_a_no_sale_needs_a_reason_and_an_open_shift_and_shows_in_the_z_report(
    api: Api, node_settings: NodeSettings
) -> None:
    no_shift = await api.post("/api/v1/drawer/open", {"terminal_id": "T1", "reason": "change for a note"})
    assert no_shift.status_code == 409 and "no open shift" in no_shift.json()["detail"]
    shift_id = await _open(api, "T1")
    blank = await api.post("/api/v1/drawer/open", {"terminal_id": "T1", "reason": "   "})
    assert blank.status_code == 422 and "why" in blank.json()["detail"]
    missing = await api.post("/api/v1/drawer/open", {"terminal_id": "T1"})
    assert missing.status_code == 400
    assert (
        await api.post("/api/v1/drawer/open", {"terminal_id": "T1", "reason": "x"}, role="hr")
    ).status_code == 403
    assert _count(node_settings, "drawer_openings") == 0 and not _events(node_settings, "drawer.opened")

    opened = await api.post(
        "/api/v1/drawer/open", {"terminal_id": "T1", "reason": " change for a M200 note "}
    )
    assert opened.status_code == 201
    assert opened.json()["shift_id"] == shift_id and opened.json()["reason"] == "change for a M200 note"
    [event] = _events(node_settings, "drawer.opened")
    assert event["payload"]["shift_id"] == shift_id and event["payload"]["cashier"] == "thabo"
    assert event["payload"]["reason"] == "change for a M200 note" and event["terminal_id"] == "T1"
    [audit] = _audits(node_settings, "drawer.opened")
    assert audit == {"shift_id": shift_id, "reason": "change for a M200 note"}

    x_report = (await api.get(f"/api/v1/shifts/{shift_id}/report")).json()
    assert x_report["kind"] == "x" and x_report["no_sales_count"] == 1
    z_report = (await api.post(f"/api/v1/shifts/{shift_id}/close", {"counted_cash_cents": 50_000})).json()
    assert z_report["kind"] == "z" and z_report["no_sales_count"] == 1


async def test_the_z_report_of_a_shift_with_no_sales_expects_the_float(
    api: Api, node_settings: NodeSettings, clock: SettableClock
) -> None:
    shift_id = await _open(api, "T1", float_cents=50_000)
    x_report = (await api.get(f"/api/v1/shifts/{shift_id}/report")).json()
    assert x_report["expected_cash_cents"] == 50_000
    assert x_report["counted_cash_cents"] is None and x_report["variance_cents"] is None
    clock.advance(timedelta(minutes=10))
    answer = await api.post(f"/api/v1/shifts/{shift_id}/close", {"counted_cash_cents": 49_500})
    assert answer.status_code == 200
    report = answer.json()
    assert report["kind"] == "z" and report["shift_id"] == shift_id and report["cashier"] == "thabo"
    assert report["closed_at"] == "2026-11-23T08:10:00.000Z"
    assert report["opening_float_cents"] == 50_000 and report["expected_cash_cents"] == 50_000
    assert report["counted_cash_cents"] == 49_500 and report["variance_cents"] == -500
    assert report["sales_count"] == 0 and report["tenders"] == [] and report["vat"] == []
    [event] = _events(node_settings, "shift.closed")
    assert event["payload"]["report"] == report
    [audit] = _audits(node_settings, "shift.closed")
    assert audit["variance_cents"] == -500 and audit["expected_cash_cents"] == 50_000
    with closing(connect(node_settings.db_path, readonly=True)) as conn:
        row = conn.execute("SELECT status, counted_cash_cents, z_report FROM shifts").fetchone()
    assert row["status"] == "closed" and row["counted_cash_cents"] == 49_500
    assert json.loads(row["z_report"]) == report
    assert (await api.get(f"/api/v1/shifts/{shift_id}/report")).json() == report, (
        "a reprint is the Z as issued"
    )
    await _open(api, "T1")  # the terminal can start its next shift


async def test_closing_twice_is_refused(api: Api, node_settings: NodeSettings) -> None:
    shift_id = await _open(api)
    assert (
        await api.post(f"/api/v1/shifts/{shift_id}/close", {"counted_cash_cents": 50_000})
    ).status_code == 200
    again = await api.post(f"/api/v1/shifts/{shift_id}/close", {"counted_cash_cents": 40_000})
    assert (
        again.status_code == 409
        and again.json()["detail"] == f"shift {shift_id} is already closed (at 10:00)"
    )
    assert len(_events(node_settings, "shift.closed")) == 1
    assert (await api.get(f"/api/v1/shifts/{shift_id}/report")).json()["counted_cash_cents"] == 50_000
    assert (await api.post("/api/v1/shifts/nope/close", {"counted_cash_cents": 0})).status_code == 404


async def test_counted_cash_can_be_given_as_notes_and_coins(api: Api, node_settings: NodeSettings) -> None:
    shift_id = await _open(api, float_cents=65_500)
    path = f"/api/v1/shifts/{shift_id}/close"
    bad_bodies = [
        {},
        {"counted_cash_cents": -1},
        {"denominations": {"20000": 3, "500": 1}, "counted_cash_cents": 65_000},  # adds up to 60,500
        {"denominations": {"250": 2}},
        {"denominations": {"M200": 2}},
        {"denominations": {"20000": -1}},
        {"denominations": {"20000": 10**15}},
        {"denominations": {"²": 1}},
        {"denominations": {"9" * 5000: 1}},
        {"counted_cash_cents": 10**20},
    ]
    for body in bad_bodies:
        answer = await api.post(path, body)
        assert answer.status_code == 422, (body, answer.text)
    assert (await api.post(path, {"notes": {}})).status_code == 400
    assert not _events(node_settings, "shift.closed")
    mismatch = await api.post(path, bad_bodies[2])
    assert mismatch.json()["detail"] == "the notes and coins add up to M605.00, not M650.00: count again"

    counted = {"20000": 3, "500": 1, "200": 2, "50": 2}  # M600 + M5 + M4 + M1
    report = (await api.post(path, {"denominations": counted})).json()
    assert report["counted_cash_cents"] == 61_000 and report["variance_cents"] == -4_500
    [audit] = _audits(node_settings, "shift.closed")
    assert audit["denominations"] == counted


def _add_sale(conn: sqlite3.Connection, sale_id: str, shift_id: str, status: str) -> None:
    conn.execute(
        "INSERT INTO sales (id, terminal_id, shift_id, user_id, status, created_at, updated_at)"
        " SELECT ?, 'T1', ?, id, ?, '2026-11-23T08:05:00.000Z', '2026-11-23T08:05:00.000Z'"
        " FROM users WHERE username = 'thabo'",
        (sale_id, shift_id, status),
    )


async def test_an_open_sale_blocks_closing_but_a_suspended_one_does_not(
    api: Api, node_settings: NodeSettings
) -> None:
    shift_id = await _open(api)
    with closing(connect(node_settings.db_path)) as conn:
        _add_sale(conn, "sale-open", shift_id, "open")
        _add_sale(conn, "sale-parked", shift_id, "suspended")
    path = f"/api/v1/shifts/{shift_id}/close"
    refused = await api.post(path, {"counted_cash_cents": 50_000})
    assert refused.status_code == 409 and "1 open sale" in refused.json()["detail"]
    assert not _events(node_settings, "shift.closed")
    with closing(connect(node_settings.db_path)) as conn:
        conn.execute("UPDATE sales SET status = 'cancelled' WHERE id = 'sale-open'")
    closed = await api.post(path, {"counted_cash_cents": 50_000})
    assert closed.status_code == 200 and closed.json()["cancelled_count"] == 1


async def test_selling_needs_an_open_shift_of_the_same_terminal(
    api: Api, node_settings: NodeSettings, clock: SettableClock
) -> None:
    t1 = await _open(api, "T1")
    t2 = await _open(api, "T2", role="cashier2")
    assert (await api.post(f"/api/v1/shifts/{t2}/close", {"counted_cash_cents": 50_000})).status_code == 200
    with closing(connect(node_settings.db_path)) as conn:
        tx = Tx(conn, clock.now(), STORE_ID, ZoneInfo("Africa/Maseru"))
        require_open_shift(tx, t1, "T1")
        assert open_shift_of(tx, "T1") == t1 and open_shift_of(tx, "T2") is None
        with pytest.raises(Conflict, match=f"shift {t1} belongs to terminal T1, not T3"):
            require_open_shift(tx, t1, "T3")
        with pytest.raises(Conflict, match=f"shift {t2} is closed"):
            require_open_shift(tx, t2, "T2")
        with pytest.raises(NotFound):
            require_open_shift(tx, "nope", "T1")


def _vat_json(gross: int, vat: int) -> str:
    breakdown = {"vat_class": "standard", "rate": "15", "gross_cents": gross, "net_cents": gross - vat}
    return json.dumps({"vat_breakdown": [{**breakdown, "vat_cents": vat}]})


async def test_the_report_reads_sales_payments_voids_returns_and_account_cash_from_the_tables(
    api: Api, node_settings: NodeSettings
) -> None:
    product = {"sku": "SOAP-1", "name": "Sunlight soap", "price_cents": 8_548, "vat_class": "standard"}
    assert (
        await api.post("/api/v1/products", {**product, "barcodes": []}, role="manager")
    ).status_code == 201
    customer = await api.post("/api/v1/customers", {"name": "Mpho Mokoena"}, role="manager")
    shift_id = await _open(api)
    with closing(connect(node_settings.db_path)) as conn:
        conn.execute("BEGIN")
        for sale_id in ("s1", "s2", "s3"):
            _add_sale(conn, sale_id, shift_id, "cancelled" if sale_id == "s3" else "completed")
        conn.execute(
            "UPDATE sales SET total_cents = 8548, rounding_cents = 2, discount_cents = 0, change_cents = 1450,"
            " receipt = ? WHERE id = 's1'",
            (_vat_json(8_548, 1_115),),
        )
        conn.execute(
            "UPDATE sales SET total_cents = 11500, discount_cents = 500, discount_amount_cents = 300,"
            " change_cents = 0, receipt = ? WHERE id = 's2'",
            (_vat_json(11_500, 1_500),),
        )
        line = (
            "INSERT INTO sale_lines (sale_id, product_id, sku, name, unit, vat_class, quantity_milli,"
            " unit_price_cents, list_price_cents, discount_percent, voided, created_at)"
            " SELECT ?, id, sku, name, unit, vat_class, ?, ?, ?, ?, ?, 'now' FROM products"
        )
        conn.execute(line, ("s1", 1_000, 8_548, 8_548, None, 0))
        conn.execute(line, ("s1", 2_000, 1_299, 1_299, None, 1))  # voided: M25.98
        conn.execute(line, ("s2", 1_000, 11_700, 11_700, "10", 0))  # a line discount
        conn.execute(line, ("s3", 1_000, 999, 999, "10", 0))  # a cancelled sale counts no discount
        pay = "INSERT INTO payments (sale_id, method, amount_cents, currency, created_at) VALUES (?, ?, ?, ?, 'now')"
        conn.execute(pay, ("s1", "cash", 10_000, "LSL"))
        conn.execute(pay, ("s2", "card", 11_500, "LSL"))
        conn.execute(pay, ("s3", "cash", 999, "ZAR"))
        conn.execute(
            "INSERT INTO returns (id, sale_id, terminal_id, shift_id, user_id, refund_method, refund_cents,"
            " reason, receipt_no, receipt, created_at) VALUES ('r1', 's1', 'T1', ?, 1, 'cash', 1150,"
            " 'broken', 'T1-R1', ?, 'now')",
            (shift_id, _vat_json(-1_150, -150)),
        )
        conn.execute(
            "INSERT INTO account_entries (customer_id, kind, amount_cents, method, shift_id, created_at)"
            " VALUES (?, 'payment', -3000, 'cash', ?, 'now')",
            (customer.json()["id"], shift_id),
        )
        conn.execute("COMMIT")
    report = (await api.get(f"/api/v1/shifts/{shift_id}/report")).json()
    assert report["expected_cash_cents"] == 50_000 + 10_000 - 1_450 - 1_150 + 3_000
    assert [(t["method"], t["amount_cents"]) for t in report["tenders"]] == [
        ("cash", 8_550),
        ("card", 11_500),
        ("cash_refund", -1_150),
        ("cash_account_payment", 3_000),
    ]
    assert report["vat"] == [
        {
            "vat_class": "standard",
            "rate": "15",
            "gross_cents": 18_898,
            "net_cents": 16_433,
            "vat_cents": 2_465,
        }
    ]
    assert (report["sales_count"], report["sales_total_cents"], report["rounding_cents"]) == (2, 20_048, 2)
    assert (report["voids_count"], report["voids_cents"]) == (1, 2_598)
    assert (report["discounts_count"], report["discounts_cents"]) == (2, 500)
    assert (report["returns_count"], report["returns_cents"], report["cancelled_count"]) == (1, 1_150, 1)
