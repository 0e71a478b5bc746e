"""Remote management at HQ on real parts (its database on SQLite and PostgreSQL, a real Mosquitto under
the production ACL): the catalog master and price lists edited and pushed, each store getting its own
prices; store users and settings pushed; a push outlives a broker that is away and an HQ restart.

The stores here are plain MQTT clients logged in as the stores: what a node does with each command is
tested with real nodes in tests/test_hq_price_push.py and edge/tests."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hq_support import ADMIN_PASSWORD, commands_at, fleet, login, result, status, until
from litestar.testing import AsyncTestClient
from sqlalchemy import select

from aiwebpos_cloud.cli import main
from aiwebpos_cloud.hq.app import create_hq_app
from aiwebpos_cloud.hq.catalog import service as catalog_service
from aiwebpos_cloud.hq.db.engine import make_engine, sessions
from aiwebpos_cloud.hq.db.models import AuditEntry, MasterProduct, SentCommand
from aiwebpos_cloud.hq.settings import load_hq_settings
from aiwebpos_contracts.topics import commands_topic, event_topic, status_topic
from devkit.mosquitto import MosquittoBroker
from devkit.mqtt import MqttPeer

STORES = ("MSU-01", "TY-02")
MAIZE = {"name": "Maize meal 10 kg", "price_cents": 13999, "vat_class": "zero", "category": "Staples"}
PARAFFIN = {"name": "Paraffin 1 l", "price_cents": 2250, "vat_class": "zero", "category": "Fuel"}
COKE = {"name": "Coke 2 l", "price_cents": 2999, "vat_class": "standard", "category": "Drinks"}


@pytest.fixture
def stores(broker: MosquittoBroker) -> Iterator[dict[str, MqttPeer]]:
    """Two stores on the broker, online, each listening to its own commands (a persistent session, as
    a node has)."""
    peers = {s: MqttPeer(broker, s, [commands_topic(s)], client_id=f"test-{s}") for s in STORES}
    for store_id, peer in peers.items():
        peer.publish(status_topic(store_id), status(store_id, True), retain=True)
    yield peers
    for peer in peers.values():
        peer.close()


@pytest.fixture
async def admin(client: AsyncTestClient[Any], stores: dict[str, MqttPeer]) -> dict[str, str]:
    headers = await login(client, "admin", ADMIN_PASSWORD)
    await fleet(client, headers, lambda rows: len(rows) == len(STORES))
    return headers


async def answer_all(peers: dict[str, MqttPeer], batch: dict[str, Any]) -> None:
    """Each store applies what it got and says so, as a node does."""
    for delivery in batch["deliveries"]:
        store_id, command_id = delivery["store_id"], delivery["command_id"]
        await received(peers[store_id], store_id, command_id)
        peers[store_id].publish(event_topic(store_id, "command.result"), result(store_id, command_id))


async def received(peer: MqttPeer, store_id: str, command_id: str, limit: float = 20) -> None:
    await peer.until(lambda: any(c.command_id == command_id for c in commands_at(peer, store_id)), limit)


async def audit_actions(client: AsyncTestClient[Any]) -> list[tuple[str | None, str, dict[str, Any]]]:
    engine = make_engine(client.app.state.hq.settings.url)  # the app's connections belong to its loop
    async with sessions(engine)() as session:
        rows = (await session.execute(select(AuditEntry).order_by(AuditEntry.id))).scalars().all()
    await engine.dispose()
    return [(r.actor, r.action, r.details) for r in rows]


async def test_the_catalog_master_and_price_lists_reach_each_store_at_its_own_prices(
    client: AsyncTestClient[Any],
    admin: dict[str, str],
    stores: dict[str, MqttPeer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put = client.put
    saved = await put(
        "/api/v1/catalog/products/MAIZE-10", json={**MAIZE, "barcodes": ["6001234567899"]}, headers=admin
    )
    assert saved.status_code == 200, saved.text
    assert (saved.json()["barcodes"], saved.json()["updated_by"]) == (["6001234567899"], "admin")
    assert (await put("/api/v1/catalog/products/PARAFFIN-1", json=PARAFFIN, headers=admin)).status_code == 200
    assert (await put("/api/v1/catalog/products/COKE-2L", json=COKE, headers=admin)).status_code == 200

    # Bad products are refused with the reason, and change nothing.
    for sku, body, reason in (
        ("SUGAR-1", {**MAIZE, "barcodes": ["6001234567891"]}, "check digit"),
        ("SUGAR-1", {**MAIZE, "barcodes": ["6001234567899"]}, "already belongs to MAIZE-10"),
        ("SUGAR-1", {**MAIZE, "price_cents": -1}, "0 or more"),
        ("SUGAR 1", MAIZE, "not a SKU"),
        ("SUGAR-1", {**MAIZE, "vat_class": "luxury"}, "vat_class"),
    ):
        refused = await put(f"/api/v1/catalog/products/{sku}", json=body, headers=admin)
        assert refused.status_code == 400 and reason in refused.text, refused.text
    assert (await client.get("/api/v1/catalog/products/SUGAR-1", headers=admin)).status_code == 404
    page = (await client.get("/api/v1/catalog/products?search=maize", headers=admin)).json()
    assert (page["total"], page["products"][0]["sku"]) == (1, "MAIZE-10")
    assert (await client.get("/api/v1/catalog/categories", headers=admin)).json() == [
        "Drinks",
        "Fuel",
        "Staples",
    ]

    # A price list for the rural store: its own price for maize, the master's for the rest.
    rural = {"description": "Rural stores", "prices": {"MAIZE-10": 12999}, "stores": ["TY-02"]}
    for wrong, reason in (
        ({**rural, "prices": {"NO-SUCH": 100}}, "NO-SUCH"),
        ({**rural, "prices": {"MAIZE-10": -5}}, "0 or more"),
        ({**rural, "stores": ["ZZ-99"]}, "ZZ-99"),
    ):
        refused = await put("/api/v1/catalog/price-lists/rural", json=wrong, headers=admin)
        assert refused.status_code == 400 and reason in refused.text, refused.text
    assert (await client.get("/api/v1/catalog/price-lists", headers=admin)).json() == []
    listed = await put("/api/v1/catalog/price-lists/rural", json=rural, headers=admin)
    assert listed.status_code == 200 and listed.json()["stores"] == ["TY-02"], listed.text
    ty_prices = {
        p["sku"]: p for p in (await client.get("/api/v1/catalog/stores/TY-02/prices", headers=admin)).json()
    }
    assert (ty_prices["MAIZE-10"]["price_cents"], ty_prices["MAIZE-10"]["price_list"]) == (12999, "rural")
    assert (ty_prices["COKE-2L"]["price_cents"], ty_prices["COKE-2L"]["price_list"]) == (2999, None)

    # The whole catalog to every store, in parts of two products (a big master goes out in parts).
    monkeypatch.setattr(catalog_service, "PRODUCTS_PER_COMMAND", 2)
    pushed = await client.post("/api/v1/catalog/push", json={}, headers=admin)
    assert pushed.status_code == 202, pushed.text
    batch = pushed.json()
    assert sorted(d["store_id"] for d in batch["deliveries"]) == ["MSU-01", "MSU-01", "TY-02", "TY-02"]
    await answer_all(stores, batch)
    for store_id, maize_price in (("MSU-01", 13999), ("TY-02", 12999)):
        got = [p for c in commands_at(stores[store_id], store_id) for p in c.body["products"]]
        assert {p["sku"]: p["price_cents"] for p in got} == {
            "COKE-2L": 2999,
            "MAIZE-10": maize_price,
            "PARAFFIN-1": 2250,
        }
        assert next(p for p in got if p["sku"] == "MAIZE-10")["barcodes"] == ["6001234567899"]
    path = f"/api/v1/commands/{batch['batch_id']}"
    await until(client, path, admin, lambda b: {d["state"] for d in b["deliveries"]} == {"applied"})
    recent = (await client.get("/api/v1/commands/", headers=admin)).json()
    assert recent[0]["batch_id"] == batch["batch_id"] and recent[0]["states"] == {"applied": 4}

    refused = await client.post("/api/v1/catalog/push", json={"skus": ["NOPE"]}, headers=admin)
    assert refused.status_code == 400 and "NOPE" in refused.text
    actions = [(actor, action) for actor, action, _ in await audit_actions(client)]
    assert actions.count(("admin", "catalog.product_saved")) == 3
    assert ("admin", "catalog.price_list_saved") in actions and ("admin", "command.pushed") in actions

    # Analysts read the master; only managers and admins change or push it.
    body = {"username": "neo", "password": "neo-analyst-1", "roles": ["analyst"]}
    assert (await client.post("/api/v1/users", json=body, headers=admin)).status_code == 201
    analyst = await login(client, "neo", "neo-analyst-1")
    assert (await client.get("/api/v1/catalog/products", headers=analyst)).status_code == 200
    assert (await put("/api/v1/catalog/products/COKE-2L", json=COKE, headers=analyst)).status_code == 403
    assert (await client.post("/api/v1/catalog/push", json={}, headers=analyst)).status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_store_users_vat_rates_and_settings_are_pushed_checked_and_without_secrets_kept(
    client: AsyncTestClient[Any], admin: dict[str, str], stores: dict[str, MqttPeer]
) -> None:
    post = client.post
    for wrong, reason in (
        ({"username": "lineo", "roles": ["boss"]}, "not boss"),
        ({"username": "lineo", "roles": ["cashier"], "pin": "12"}, "4 to 8 digits"),
        ({"username": "lineo", "roles": ["cashier"], "password": "short"}, "8 characters"),
        ({"username": "lineo", "roles": ["cashier"], "stores": ["ZZ-99"]}, "ZZ-99"),
    ):
        refused = await post("/api/v1/commands/users", json=wrong, headers=admin)
        assert refused.status_code == 400 and reason in refused.text, refused.text
    user = {
        "username": "lineo",
        "roles": ["cashier"],
        "password": "lineo-pass-1",
        "pin": "4321",
        "stores": ["MSU-01"],
    }
    pushed = await post("/api/v1/commands/users", json=user, headers=admin)
    assert pushed.status_code == 202, pushed.text
    assert pushed.json()["body"]["password"] == "(set)" and pushed.json()["body"]["pin"] == "(set)"
    await answer_all(stores, pushed.json())
    [sent] = commands_at(stores["MSU-01"], "MSU-01")
    assert (sent.type, sent.body["password"], sent.body["pin"]) == ("user.upsert", "lineo-pass-1", "4321")
    assert commands_at(stores["TY-02"], "TY-02") == []
    await until(
        client,
        f"/api/v1/commands/{pushed.json()['batch_id']}",
        admin,
        lambda b: b["deliveries"][0]["state"] == "applied",
    )
    # Once the broker has it, HQ keeps no password or PIN: not in its commands, not in its audit log.
    engine = make_engine(client.app.state.hq.settings.url)
    async with sessions(engine)() as session:
        kept = (await session.execute(select(SentCommand))).scalars().all()
    await engine.dispose()
    assert "lineo-pass-1" not in str([k.body for k in kept]) and "4321" not in str([k.body for k in kept])
    assert "lineo-pass-1" not in str(await audit_actions(client))

    today = date.today()
    for wrong, reason in (
        (
            {"vat_class": "standard", "rate_percent": "16", "effective_from": str(today - timedelta(days=1))},
            "today or later",
        ),
        ({"vat_class": "zero", "rate_percent": "5", "effective_from": str(today)}, "0 % rate"),
        ({"vat_class": "standard", "rate_percent": "sixteen", "effective_from": str(today)}, "not a number"),
    ):
        refused = await post("/api/v1/commands/vat-rates", json=wrong, headers=admin)
        assert refused.status_code == 400 and reason in refused.text, refused.text
    rate = {"vat_class": "standard", "rate_percent": "16", "effective_from": str(today + timedelta(days=30))}
    vat = await post("/api/v1/commands/vat-rates", json=rate, headers=admin)
    assert vat.status_code == 202 and {d["store_id"] for d in vat.json()["deliveries"]} == set(STORES)

    for wrong, reason in (
        ({}, "at least one setting"),
        ({"discount_limit_percent": "150"}, "from 0 to 100"),
        ({"return_approval_limit_cents": -1}, "0 or more"),
        ({"cash_rounding_cents": 3}, "cash_rounding_cents"),
    ):
        refused = await post("/api/v1/commands/settings", json=wrong, headers=admin)
        assert refused.status_code == 400 and reason in refused.text, refused.text
    limits = {"discount_limit_percent": "12.5", "return_approval_limit_cents": 50000, "stores": ["TY-02"]}
    settings = await post("/api/v1/commands/settings", json=limits, headers=admin)
    assert settings.status_code == 202
    await stores["TY-02"].until(
        lambda: {c.type for c in commands_at(stores["TY-02"], "TY-02")} == {"vat_rate.set", "config.set"}
    )
    config = next(c for c in commands_at(stores["TY-02"], "TY-02") if c.type == "config.set")
    assert config.body == {"discount_limit_percent": "12.5", "return_approval_limit_cents": 50000}

    # HR manages the stores' users, not their settings.
    hr = {"username": "mary", "password": "mary-hr-pass-1", "roles": ["hr"]}
    assert (await post("/api/v1/users", json=hr, headers=admin)).status_code == 201
    mary = await login(client, "mary", "mary-hr-pass-1")
    assert (
        await post("/api/v1/commands/users", json={**user, "username": "thabo"}, headers=mary)
    ).status_code == 202
    assert (await post("/api/v1/commands/settings", json=limits, headers=mary)).status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_push_made_while_the_broker_is_away_goes_out_when_it_is_back_even_after_an_hq_restart(
    hq_dir: Path, broker: MosquittoBroker, stores: dict[str, MqttPeer]
) -> None:
    settings = load_hq_settings(hq_dir, mqtt_url=broker.url("aiwebpos-hq"))
    price = {"prices": [{"sku": "COKE-2L", "price_cents": 3199}], "stores": ["MSU-01"]}

    @asynccontextmanager
    async def hq_running() -> AsyncIterator[tuple[AsyncTestClient[Any], dict[str, str]]]:
        async with AsyncTestClient(app=create_hq_app(settings)) as hq:
            yield hq, await login(hq, "admin", ADMIN_PASSWORD)

    async with hq_running() as (hq, admin):
        await fleet(hq, admin, lambda rows: len(rows) == len(STORES))
        broker.stop()
        first = (await hq.post("/api/v1/commands/prices", json=price, headers=admin)).json()
        # Not "sent": nobody acknowledged it. HQ goes down with it still queued.
        assert (await hq.get(f"/api/v1/commands/{first['batch_id']}", headers=admin)).json()["deliveries"][0][
            "state"
        ] == "queued"
    broker.start()
    async with hq_running() as (hq, admin):
        batch = f"/api/v1/commands/{first['batch_id']}"
        await until(hq, batch, admin, lambda b: b["deliveries"][0]["state"] == "sent", within=30)
        peer = stores["MSU-01"]
        await peer.until(
            lambda: (
                [c.command_id for c in commands_at(peer, "MSU-01")] == [first["deliveries"][0]["command_id"]]
            ),
            limit=30,
        )
        peer.publish(
            event_topic("MSU-01", "command.result"), result("MSU-01", first["deliveries"][0]["command_id"])
        )
        await until(hq, batch, admin, lambda b: b["deliveries"][0]["state"] == "applied")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_catalog_file_fills_the_master_all_or_nothing(hq_dir: Path, tmp_path: Path) -> None:
    header = "sku,name,price_cents,vat_class,unit,category,barcodes,plu\n"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header
        + "MAIZE-10,Maize meal 10 kg,13999,zero,each,Staples,6001234567899,\n"
        + "COKE-2L,Coke 2 l,2999,standard,each,Drinks,6001234567891,\n"  # wrong check digit
        + "MAIZE-10,Maize again,100,zero,each,Staples,,\n"  # the same SKU twice
        + "TOMATO-KG,Tomatoes,1999,zero,kg,Fresh,,12\n"
    )
    refused = CliRunner().invoke(main, ["hq", "catalog-import", "--data-dir", str(hq_dir), str(bad)])
    assert refused.exit_code != 0
    assert "line 3: barcode 6001234567891 has a wrong check digit" in refused.output
    assert "line 4: SKU MAIZE-10 is in the file twice" in refused.output
    good = tmp_path / "good.csv"
    good.write_text(
        header
        + "MAIZE-10,Maize meal 10 kg,13999,zero,each,Staples,6001234567899,\n"
        + "COKE-2L,Coke 2 l,2999,standard,each,Drinks,96385074,\n"
        + "TOMATO-KG,Tomatoes,1999,zero,kg,Fresh,,12\n"
    )
    done = CliRunner().invoke(main, ["hq", "catalog-import", "--data-dir", str(hq_dir), str(good)])
    assert done.exit_code == 0, done.output
    assert "3 products in the catalog master" in done.output

    async def master() -> list[tuple[str, int, str, list[str]]]:
        engine = make_engine(load_hq_settings(hq_dir).url)
        async with sessions(engine)() as session:
            rows = (await session.execute(select(MasterProduct).order_by(MasterProduct.sku))).scalars().all()
        await engine.dispose()
        return [(r.sku, r.price_cents, r.unit, r.barcodes) for r in rows]

    assert asyncio.run(master()) == [
        ("COKE-2L", 2999, "each", ["96385074"]),
        ("MAIZE-10", 13999, "each", ["6001234567899"]),
        ("TOMATO-KG", 1999, "kg", []),
    ]
