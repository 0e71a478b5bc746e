import json
from collections.abc import Callable
from contextlib import closing
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest
from edge_support import STORE_ID, Api

from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.customers.service import check_credit, post_entry, require_customer
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.errors import Conflict, NotFound
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.tx import Actor, Tx

T = TypeVar("T")
MPHO = {"name": "Mpho Mokoena", "phone": "+266 5880 1234", "address": "Ha Thamae, Maseru"}


def _in_tx(settings: NodeSettings, clock: SettableClock, work: Callable[[Tx, Actor], T]) -> T:
    """Run `work` as the sales code would: inside one committed transaction, acting as thabo at T1."""
    with closing(connect(settings.db_path)) as conn:
        user_id = conn.execute("SELECT id FROM users WHERE username = 'thabo'").fetchone()[0]
        actor = Actor(user_id=user_id, username="thabo", roles=("cashier",), terminal_id="T1")
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = work(Tx(conn, clock.now(), STORE_ID, ZoneInfo("Africa/Maseru")), actor)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return result


def _rows(settings: NodeSettings, sql: str, *args: Any) -> list[Any]:
    with closing(connect(settings.db_path, readonly=True)) as conn:
        return [tuple(row) for row in conn.execute(sql, args)]


def _events(settings: NodeSettings, event_type: str) -> list[dict[str, Any]]:
    rows = _rows(settings, "SELECT envelope FROM outbox WHERE type = ? ORDER BY seq", event_type)
    return [json.loads(row[0]) for row in rows]


def _audits(settings: NodeSettings, action: str) -> list[dict[str, Any]]:
    rows = _rows(settings, "SELECT details FROM audit_log WHERE action = ? ORDER BY id", action)
    return [json.loads(row[0]) for row in rows]


async def _customer(api: Api, limit_cents: int = 100_000) -> str:
    answer = await api.post("/api/v1/customers", {**MPHO, "credit_limit_cents": limit_cents}, role="manager")
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _charge(settings: NodeSettings, clock: SettableClock, customer_id: str, cents: int) -> int:
    return _in_tx(settings, clock, lambda tx, actor: post_entry(tx, actor, customer_id, "charge", cents))


async def test_a_manager_records_a_customer_with_a_credit_limit(
    api: Api, node_settings: NodeSettings
) -> None:
    customer_id = await _customer(api, 100_000)
    shown = await api.get(f"/api/v1/customers/{customer_id}")
    assert shown.status_code == 200
    assert shown.json() == {
        "id": customer_id,
        "name": "Mpho Mokoena",
        "phone": "+266 5880 1234",
        "email": "",
        "vat_number": "",
        "address": "Ha Thamae, Maseru",
        "credit_limit_cents": 100_000,
        "active": True,
        "balance_cents": 0,
        "available_credit_cents": 100_000,
    }
    [audit] = _audits(node_settings, "customer.created")
    assert audit["customer_id"] == customer_id and audit["credit_limit_cents"] == 100_000
    assert (await api.get("/api/v1/customers/nobody")).status_code == 404


@pytest.mark.parametrize(
    ("body", "role", "status"),
    [
        ({"name": "  "}, "manager", 422),
        ({"name": "Mpho", "credit_limit_cents": -100}, "manager", 422),
        ({"name": "Mpho", "credit_limit_cents": 10**20}, "manager", 422),
        ({"name": "Mpho", "email": "mpho at home"}, "manager", 422),
        ({"name": "Mpho", "phone": "call me"}, "manager", 422),
        ({"name": "Mpho", "nickname": "M"}, "manager", 400),
        ({"phone": "5880"}, "manager", 400),
        ({"name": "Mpho"}, "cashier", 403),
    ],
)
async def test_bad_customer_input_is_refused_and_changes_nothing(
    api: Api, node_settings: NodeSettings, body: dict[str, Any], role: str, status: int
) -> None:
    answer = await api.post("/api/v1/customers", body, role=role)
    assert answer.status_code == status, answer.text
    assert answer.json()["detail"]
    assert _rows(node_settings, "SELECT COUNT(*) FROM customers") == [(0,)]
    assert not _audits(node_settings, "customer.created")


async def test_customers_are_found_by_name_or_phone(api: Api) -> None:
    await _customer(api)
    other = await api.post(
        "/api/v1/customers", {"name": "Lineo Thamae", "phone": "6222 0000"}, role="manager"
    )
    assert other.status_code == 201

    async def names(q: str | None) -> list[str]:
        answer = await api.get("/api/v1/customers", params={"q": q} if q is not None else {})
        assert answer.status_code == 200
        return [c["name"] for c in answer.json()]

    assert await names(None) == ["Lineo Thamae", "Mpho Mokoena"]
    assert await names("mokoena") == ["Mpho Mokoena"]
    assert await names("5880") == ["Mpho Mokoena"]
    assert await names("%") == [], "search text is literal"
    assert (await api.get("/api/v1/customers", role="hr")).status_code == 403


async def test_changing_the_credit_limit_is_audited(api: Api, node_settings: NodeSettings) -> None:
    customer_id = await _customer(api, 100_000)
    path = f"/api/v1/customers/{customer_id}"
    for body, status in [({}, 422), ({"credit_limit_cents": -1}, 422), ({"limit": 5}, 400)]:
        assert (await api.call("PATCH", path, role="manager", json=body)).status_code == status
    assert (await api.call("PATCH", path, role="cashier", json={"credit_limit_cents": 1})).status_code == 403
    missing = await api.call("PATCH", "/api/v1/customers/nobody", role="manager", json={"active": False})
    assert missing.status_code == 404
    assert not _audits(node_settings, "customer.credit_limit_changed")

    changed = await api.call("PATCH", path, role="manager", json={"credit_limit_cents": 250_000})
    assert changed.status_code == 200
    assert (
        changed.json()["credit_limit_cents"] == 250_000
        and changed.json()["available_credit_cents"] == 250_000
    )
    [audit] = _audits(node_settings, "customer.credit_limit_changed")
    assert audit == {
        "customer_id": customer_id,
        "name": "Mpho Mokoena",
        "old_cents": 100_000,
        "new_cents": 250_000,
    }
    renamed = await api.call("PATCH", path, role="manager", json={"name": "Mpho M. Mokoena"})
    assert (
        renamed.json()["name"] == "Mpho M. Mokoena" and len(_audits(node_settings, "customer.changed")) == 1
    )


async def test_a_customer_payment_lowers_the_balance_and_paying_more_than_owed_is_refused(
    api: Api, node_settings: NodeSettings, clock: SettableClock
) -> None:
    customer_id = await _customer(api, 100_000)
    assert _charge(node_settings, clock, customer_id, 25_000) == 25_000
    path = f"/api/v1/customers/{customer_id}/payments"
    paid = await api.post(path, {"amount_cents": 10_000, "method": "card", "reference": "ref 77"})
    assert paid.status_code == 201
    assert paid.json()["balance_cents"] == 15_000 and paid.json()["shift_id"] is None
    shown = (await api.get(f"/api/v1/customers/{customer_id}")).json()
    assert shown["balance_cents"] == 15_000 and shown["available_credit_cents"] == 85_000
    charge_event, payment_event = _events(node_settings, "account.changed")
    assert charge_event["payload"]["kind"] == "charge" and charge_event["payload"]["balance_cents"] == 25_000
    assert payment_event["payload"] == {
        "customer_id": customer_id,
        "kind": "payment",
        "amount_cents": -10_000,
        "balance_cents": 15_000,
        "reference": "ref 77",
    }
    [audit] = _audits(node_settings, "account.payment")
    assert audit["amount_cents"] == 10_000 and audit["balance_cents"] == 15_000

    too_much = await api.post(path, {"amount_cents": 20_000, "method": "card"})
    assert too_much.status_code == 409
    assert too_much.json()["detail"] == "Mpho Mokoena owes M150.00: a payment of M200.00 is more than that"
    for body, role, status in [
        ({"amount_cents": 0, "method": "card"}, "cashier", 422),
        ({"amount_cents": -500, "method": "card"}, "cashier", 422),
        ({"amount_cents": 500, "method": "cheque"}, "cashier", 400),
        ({"amount_cents": 500}, "cashier", 400),
        ({"amount_cents": 500, "method": "card"}, "analyst", 403),
    ]:
        assert (await api.post(path, body, role=role)).status_code == status, body
    assert (
        await api.post("/api/v1/customers/nobody/payments", {"amount_cents": 1, "method": "card"})
    ).status_code == 404
    assert _rows(node_settings, "SELECT COUNT(*), SUM(amount_cents) FROM account_entries") == [(2, 15_000)]
    assert (
        len(_events(node_settings, "account.changed")) == 2
        and len(_audits(node_settings, "account.payment")) == 1
    )


async def test_cash_paid_on_account_at_a_till_counts_in_its_shift(
    api: Api, node_settings: NodeSettings, clock: SettableClock
) -> None:
    customer_id = await _customer(api)
    _charge(node_settings, clock, customer_id, 40_000)
    path = f"/api/v1/customers/{customer_id}/payments"
    no_shift = await api.post(path, {"amount_cents": 3_000, "method": "cash", "terminal_id": "T1"})
    assert no_shift.status_code == 409 and "no open shift" in no_shift.json()["detail"]
    opened = await api.post("/api/v1/shifts", {"terminal_id": "T1", "opening_float_cents": 50_000})
    shift_id = opened.json()["id"]
    paid = await api.post(path, {"amount_cents": 3_000, "method": "cash", "terminal_id": "T1"})
    assert paid.status_code == 201 and paid.json()["shift_id"] == shift_id
    assert _events(node_settings, "account.changed")[-1]["terminal_id"] == "T1"
    report = (await api.get(f"/api/v1/shifts/{shift_id}/report")).json()
    assert report["expected_cash_cents"] == 53_000
    assert report["tenders"] == [{"method": "cash_account_payment", "count": 1, "amount_cents": 3_000}]


async def test_the_statement_lists_every_entry_with_the_running_balance(
    api: Api, node_settings: NodeSettings, clock: SettableClock
) -> None:
    customer_id = await _customer(api)
    _charge(node_settings, clock, customer_id, 12_000)
    await api.post(
        f"/api/v1/customers/{customer_id}/payments", {"amount_cents": 2_000, "method": "mobile_money"}
    )
    _in_tx(
        node_settings,
        clock,
        lambda tx, actor: post_entry(tx, actor, customer_id, "refund", -500, sale_id="s9"),
    )
    statement = (await api.get(f"/api/v1/customers/{customer_id}/statement", role="analyst")).json()
    assert statement["customer"]["balance_cents"] == 9_500
    assert [(e["kind"], e["amount_cents"], e["balance_cents"]) for e in statement["entries"]] == [
        ("charge", 12_000, 12_000),
        ("payment", -2_000, 10_000),
        ("refund", -500, 9_500),
    ]
    assert statement["entries"][1]["method"] == "mobile_money" and statement["entries"][2]["sale_id"] == "s9"


async def test_a_charge_over_the_credit_limit_is_refused(
    api: Api, node_settings: NodeSettings, clock: SettableClock
) -> None:
    customer_id = await _customer(api, 100_000)

    def check(extra: int) -> None:
        _in_tx(node_settings, clock, lambda tx, _: check_credit(tx, customer_id, extra))

    check(100_000)
    with pytest.raises(Conflict) as refused:
        check(125_000)
    assert refused.value.detail == (
        "this would take Mpho Mokoena's account to M1,250.00, over its credit limit of M1,000.00"
    )
    _charge(node_settings, clock, customer_id, 60_000)
    check(40_000)
    with pytest.raises(Conflict, match=r"to M1,000\.01, over"):
        check(40_001)
    closed = await api.call(
        "PATCH", f"/api/v1/customers/{customer_id}", role="manager", json={"active": False}
    )
    assert closed.json()["available_credit_cents"] == 0
    with pytest.raises(Conflict, match="account is closed"):
        check(1)
    with pytest.raises(NotFound):
        _in_tx(node_settings, clock, lambda tx, _: require_customer(tx, "nobody"))
    row = _in_tx(node_settings, clock, lambda tx, _: require_customer(tx, customer_id))
    assert (row.name, row.credit_limit_cents, row.active) == ("Mpho Mokoena", 100_000, False)
