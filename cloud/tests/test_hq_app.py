"""The HQ web app on real parts: its database on SQLite and on PostgreSQL (the same Alembic migrations),
login with an audited trail, the permission matrix, and the fleet from the stores' retained status on a
real Mosquitto."""

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cloud_factories import Store
from hq_support import ADMIN_PASSWORD, fleet, login, result, status, until
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from aiwebpos_cloud.hq import audit
from aiwebpos_cloud.hq.app import create_hq_app
from aiwebpos_cloud.hq.commands.service import mark_sent, push_each
from aiwebpos_cloud.hq.commands.store import answer
from aiwebpos_cloud.hq.db.engine import make_engine, sessions
from aiwebpos_cloud.hq.db.models import AuditEntry, SentCommand
from aiwebpos_cloud.hq.settings import load_hq_settings
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter
from aiwebpos_contracts.status import DeviceHealth
from aiwebpos_contracts.topics import event_topic, status_topic
from devkit.mosquitto import MosquittoBroker
from devkit.mqtt import MqttPeer


async def test_login_users_and_the_permission_matrix_with_every_action_audited(
    client: AsyncTestClient[Any],
) -> None:
    wrong = await client.post("/api/v1/auth/login", json={"username": "admin", "password": "nope-nope"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "wrong username or password"
    admin = await login(client, "admin", ADMIN_PASSWORD)
    assert (await client.get("/api/v1/auth/me", headers=admin)).json() == {
        "username": "admin",
        "roles": ["admin"],
        "full_name": "",
        "active": True,
    }

    body = {"username": "neo", "password": "neo-analyst-1", "roles": ["analyst"]}
    assert (await client.post("/api/v1/users", json=body, headers=admin)).status_code == 201
    assert (await client.post("/api/v1/users", json=body, headers=admin)).status_code == 409
    bad_role = await client.post(
        "/api/v1/users", json={**body, "username": "x", "roles": ["cashier"]}, headers=admin
    )
    assert bad_role.status_code == 400 and "not cashier" in bad_role.json()["detail"]
    short = await client.post(
        "/api/v1/users", json={**body, "username": "y", "password": "short"}, headers=admin
    )
    assert short.status_code == 400

    analyst = await login(client, "neo", "neo-analyst-1")
    assert (await client.get("/api/v1/fleet/", headers=analyst)).status_code == 200
    assert (
        await client.post("/api/v1/users", json={**body, "username": "z"}, headers=analyst)
    ).status_code == 403
    assert (await client.get("/api/v1/audit/verify", headers=analyst)).status_code == 403
    assert (await client.get("/api/v1/fleet/")).status_code == 401
    forged = {"Authorization": "Bearer " + admin["Authorization"].split()[1][:-4] + "AAAA"}
    assert (await client.get("/api/v1/fleet/", headers=forged)).status_code == 401

    verified = await client.get("/api/v1/audit/verify", headers=admin)
    assert verified.json() == {"intact": True, "first_broken_id": None}
    # Our own engine on HQ's database: the app's connections belong to the test client's event loop.
    engine = make_engine(client.app.state.hq.settings.url)
    async with sessions(engine)() as session:
        entries = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
        assert [(e.actor, e.action) for e in entries] == [
            (None, "user.created"),
            ("admin", "login.failed"),
            ("admin", "login"),
            ("admin", "user.created"),
            ("neo", "login"),
        ]
        assert entries[1].client_ip is not None
        entries[3].details = {"username": "neo", "roles": ["admin"]}  # someone edits the record
        await session.commit()
    await engine.dispose()
    tampered = await client.get("/api/v1/audit/verify", headers=admin)
    assert tampered.json() == {"intact": False, "first_broken_id": entries[3].id}


async def test_the_fleet_follows_each_stores_retainedstatus(
    client: AsyncTestClient[Any], broker: MosquittoBroker
) -> None:
    admin = await login(client, "admin", ADMIN_PASSWORD)
    msu = MqttPeer(broker, "MSU-01", [])
    ty = MqttPeer(broker, "TY-02", [])
    try:
        printer = DeviceHealth(kind="printer", connected=False, state="paper_out", detail="out of paper")
        msu.publish(
            status_topic("MSU-01"),
            status(
                "MSU-01",
                True,
                at="2026-11-29T08:00:00.000Z",
                outbox_pending=42,
                last_seq=900,
                software_version="0.1.0",
                devices={"printer-front": printer},
            ),
            retain=True,
        )
        ty.publish(status_topic("TY-02"), status("TY-02", True, outbox_pending=0), retain=True)
        rows = await fleet(client, admin, lambda r: len(r) == 2)
        msu_row = next(r for r in rows if r["store_id"] == "MSU-01")
        assert (msu_row["online"], msu_row["outbox_pending"], msu_row["software_version"]) == (
            True,
            42,
            "0.1.0",
        )
        assert msu_row["device_problems"] == [
            {"name": "printer-front", "state": "paper_out", "detail": "out of paper"}
        ]
        online_last_seen = msu_row["last_seen"]
        assert online_last_seen is not None

        # MSU-01's Last Will (or a clean goodbye): offline, its last figures kept.
        msu.publish(status_topic("MSU-01"), status("MSU-01", False), retain=True)
        rows = await fleet(
            client, admin, lambda r: not next(x for x in r if x["store_id"] == "MSU-01")["online"]
        )
        offline = next(r for r in rows if r["store_id"] == "MSU-01")
        # Last seen stays at the last moment it was online; the backlog it last reported is kept.
        assert (offline["outbox_pending"], offline["last_seen"]) == (42, online_last_seen)
        assert offline["status_at"] == "2026-11-29T08:00:00.000Z"
    finally:
        msu.close()
        ty.close()


async def test_the_dashboards_are_served_behind_the_permission_matrix(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin", ADMIN_PASSWORD)
    for user, role in (("mpho", "logistics"), ("neo", "analyst")):
        body = {"username": user, "password": f"{user}-secret-1", "roles": [role]}
        assert (await client.post("/api/v1/users", json=body, headers=admin)).status_code == 201
    page = await client.get("/hq/dashboards/")
    assert page.status_code == 200 and "dashboards" in page.text.lower()
    assert (await client.get("/hq/fleet.html")).status_code == 200
    assert (await client.get("/api/v1/dashboards/")).status_code == 401
    logistics = await login(client, "mpho", "mpho-secret-1")
    assert (await client.get("/api/v1/dashboards/", headers=logistics)).status_code == 403
    analyst = await login(client, "neo", "neo-secret-1")
    listed = await client.get("/api/v1/dashboards/", headers=analyst)
    assert listed.status_code == 200 and len(listed.json()) == 10
    # This HQ was started without a lakehouse: a clear answer, not a 500.
    answer = await client.get("/api/v1/dashboards/sales_by_hour", headers=analyst)
    assert answer.status_code == 409 and "--lakehouse" in answer.json()["detail"]


async def test_only_the_store_a_command_went_to_can_settle_it(
    client: AsyncTestClient[Any], broker: MosquittoBroker
) -> None:
    admin = await login(client, "admin", ADMIN_PASSWORD)
    msu, ty = MqttPeer(broker, "MSU-01", []), MqttPeer(broker, "TY-02", [])
    try:
        for name, peer in (("MSU-01", msu), ("TY-02", ty)):
            peer.publish(status_topic(name), status(name, True), retain=True)
        await fleet(client, admin, lambda r: len(r) == 2)
        body = {"prices": [{"sku": "SUGAR-25", "price_cents": 5999}], "stores": ["MSU-01"]}
        pushed = (await client.post("/api/v1/commands/prices", json=body, headers=admin)).json()
        [delivery] = pushed["deliveries"]
        assert delivery["state"] in ("queued", "sent")  # "sent" once the broker has acknowledged it
        path = f"/api/v1/commands/{pushed['batch_id']}"
        await until(client, path, admin, lambda b: b["deliveries"][0]["state"] == "sent")

        ty.publish(event_topic("TY-02", "command.result"), result("TY-02", delivery["command_id"]))
        await asyncio.sleep(1.0)  # time enough for HQ to have taken it, had it been MSU-01's
        assert (await client.get(path, headers=admin)).json()["deliveries"][0]["state"] == "sent"
        msu.publish(event_topic("MSU-01", "command.result"), result("MSU-01", delivery["command_id"]))
        deadline = time.monotonic() + 20
        while (await client.get(path, headers=admin)).json()["deliveries"][0]["state"] != "applied":
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
    finally:
        msu.close()
        ty.close()


async def test_a_late_puback_never_takes_back_a_stores_answer(hq_dir: Path, database_url: str | None) -> None:
    """The broker's PUBACK and the store's `command.result` arrive on their own sessions; under load
    the answer can commit between the PUBACK handler's read and its write. "applied" must stay."""
    engine = make_engine(load_hq_settings(hq_dir, database_url=database_url).url)
    make_session = sessions(engine)
    try:
        async with make_session.begin() as session:
            session.add(
                SentCommand(
                    command_id="c-1",
                    batch_id="b-1",
                    store_id="MSU-01",
                    type="user.upsert",
                    body={"username": "thabo", "password": "s3cret-pass", "roles": ["cashier"]},
                    issued_by="admin",
                    issued_at="2026-11-30T08:00:00.000Z",
                    state="queued",
                    detail="",
                )
            )
        async with make_session.begin() as puback:
            read = await puback.get(SentCommand, "c-1")  # held: the session's view stays "queued"
            assert read is not None and read.state == "queued"
            async with make_session.begin() as store_answer:
                assert await answer(store_answer, "MSU-01", "c-1", True, "", "2026-11-30T08:00:01.000Z")
            await mark_sent(puback, "c-1")
        async with make_session() as session:
            row = await session.get(SentCommand, "c-1")
            assert row is not None
            assert (row.state, row.body["password"]) == ("applied", "(set)")
    finally:
        await engine.dispose()


async def test_a_push_reaches_the_broker_only_once_its_transaction_has_committed(
    hq_dir: Path, database_url: str | None
) -> None:
    """A fast PUBACK must find its command recorded, and a push rolled back must never leave HQ."""
    engine = make_engine(load_hq_settings(hq_dir, database_url=database_url).url)
    make_session, published = sessions(engine), list[str]()

    def publish(topic: str, payload: bytes, command_id: str) -> None:
        published.append(command_id)

    async def push(session: AsyncSession) -> str:
        body = {"prices": [{"sku": "SUGAR-25", "price_cents": 5999}]}
        return await push_each(
            session, publish, command_type="price.set", bodies=[("MSU-01", body)], actor="admin", at="t"
        )

    try:
        with pytest.raises(RuntimeError):
            async with make_session.begin() as session:
                await push(session)
                raise RuntimeError("the rest of the change failed")
        assert published == []
        async with make_session() as session:  # one session, two transactions: the first one's push
            await push(session)  # is rolled back, and the second's commit must not send it
            await session.rollback()
            await audit.record(session, "t", "admin", "something.else", None)
            await session.commit()
        assert published == []
        async with make_session.begin() as session:
            batch_id = await push(session)
            assert published == []  # not before the commit
        async with make_session() as session:
            [row] = (await session.execute(select(SentCommand))).scalars()
        assert (published, row.batch_id) == ([row.command_id], batch_id)
    finally:
        await engine.dispose()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_fleet_shows_the_events_a_store_sent_that_never_reached_the_lakehouse(
    hq_dir: Path, broker: MosquittoBroker, tmp_path: Path
) -> None:
    lakehouse = tmp_path / "lakehouse"
    store, other = Store("MSU-01", start=datetime.now(UTC)), Store("TY-02", start=datetime.now(UTC))
    events = [store.sale() for _ in range(12)]
    LakehouseWriter(lakehouse).write(
        events[:3] + events[5:9] + events[10:] + [other.sale() for _ in range(3)]
    )
    settings = load_hq_settings(hq_dir, mqtt_url=broker.url("aiwebpos-hq"), lakehouse=str(lakehouse))
    peers = [MqttPeer(broker, s, []) for s in ("MSU-01", "TY-02")]
    try:
        for peer, name in zip(peers, ("MSU-01", "TY-02"), strict=True):
            peer.publish(status_topic(name), status(name, True), retain=True)
        async with AsyncTestClient(app=create_hq_app(settings)) as hq:
            admin = await login(hq, "admin", ADMIN_PASSWORD)
            rows = {r["store_id"]: r for r in await fleet(hq, admin, lambda r: len(r) == 2)}
    finally:
        for peer in peers:
            peer.close()
    assert rows["MSU-01"]["missing_events"] == 3
    assert rows["MSU-01"]["seq_gaps"] == [
        {"first_missing": 4, "last_missing": 5, "missing": 2},
        {"first_missing": 10, "last_missing": 10, "missing": 1},
    ]
    assert (rows["TY-02"]["missing_events"], rows["TY-02"]["seq_gaps"]) == (0, [])
