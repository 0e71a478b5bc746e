"""Reviews at HQ over a real lakehouse and broker: the pricing model's proposals approved (pushed to the
stores they are for, the master following) or rejected (nothing pushed), and the fraud model's alerts
confirmed (a label for the next training) or dismissed — each once, each audited."""

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from deltalake import DeltaTable, write_deltalake
from hq_support import ADMIN_PASSWORD, commands_at, fleet, login, status
from litestar.testing import AsyncTestClient
from playwright.sync_api import expect

from aiwebpos_cloud.hq.app import create_hq_app
from aiwebpos_cloud.hq.settings import load_hq_settings
from aiwebpos_cloud.lakehouse.outputs import FRAUD_ALERTS, PRICE_RECOMMENDATIONS
from aiwebpos_contracts.topics import commands_topic, status_topic
from devkit.browser import chromium, hq_logged_in
from devkit.mosquitto import MosquittoBroker
from devkit.mqtt import MqttPeer
from devkit.served import served

SCREENSHOTS = Path(os.environ.get("AIWEBPOS_SCREENSHOTS", "var/screenshots"))
STORES = ("MSU-01", "TY-02")
NOON = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)


def write_outputs(lakehouse: Path) -> None:
    proposals = pl.DataFrame(
        {
            "recommendation_id": ["P1", "P2", "P3"],
            "store_id": [None, "TY-02", "MSU-01"],
            "sku": ["COKE-2L", "BREAD-W", "MILK-1L"],
            "kind": ["price_move", "markdown", "price_move"],
            "current_price_cents": [2799, 1499, 2199],
            "recommended_price_cents": [2899, 1199, 2299],
            "change_pct": [3.6, -20.0, 4.5],
            "elasticity": [-0.8, -1.9, -0.5],
            "expected_units_change_pct": [-2.9, 38.0, -2.3],
            "expected_margin_change_cents": [12000, 8000, 5000],
            "reason": ["inelastic", "near expiry", "inelastic"],
            "status": ["proposed"] * 3,
            "model": ["aiwebpos-pricing"] * 3,
            "model_version": ["2"] * 3,
        }
    )
    table = proposals.to_arrow().cast(PRICE_RECOMMENDATIONS.schema)
    write_deltalake(str(PRICE_RECOMMENDATIONS.path(lakehouse)), table)
    alerts = pl.DataFrame(
        {
            "kind": ["sale", "return"],
            "ref": ["MSU-01-T1-000042", "TY-02-T2-CN-000007"],
            "store_id": ["MSU-01", "TY-02"],
            "shift_id": ["sh-1", "sh-9"],
            "cashier": ["thabo", "neo"],
            "occurred_at": [NOON, NOON],
            "score": [0.93, 0.71],
            "reasons": ["many voids", "refund without receipt"],
            "model": ["aiwebpos-fraud"] * 2,
            "model_version": ["4"] * 2,
            "status": ["open"] * 2,
        }
    )
    write_deltalake(str(FRAUD_ALERTS.path(lakehouse)), alerts.to_arrow().cast(FRAUD_ALERTS.schema))


@pytest.fixture
def stores(broker: MosquittoBroker) -> Iterator[dict[str, MqttPeer]]:
    peers = {s: MqttPeer(broker, s, [commands_topic(s)]) for s in STORES}
    for store_id, peer in peers.items():
        peer.publish(status_topic(store_id), status(store_id, True), retain=True)
    yield peers
    for peer in peers.values():
        peer.close()


def lake_rows(lakehouse: Path, table: str) -> list[dict[str, Any]]:
    path = lakehouse / table
    if not path.exists():
        return []
    frame = pl.from_arrow(DeltaTable(str(path)).to_pyarrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame.to_dicts()


async def test_an_approved_store_price_outlives_the_next_catalog_push_and_a_price_list_keeps_its_own(
    hq_dir: Path,
    database_url: str | None,
    broker: MosquittoBroker,
    stores: dict[str, MqttPeer],
    tmp_path: Path,
) -> None:
    lakehouse = tmp_path / "lakehouse"
    write_outputs(lakehouse)
    settings = load_hq_settings(
        hq_dir, database_url=database_url, mqtt_url=broker.url("aiwebpos-hq"), lakehouse=str(lakehouse)
    )
    async with AsyncTestClient(app=create_hq_app(settings)) as hq:
        admin = await login(hq, "admin", ADMIN_PASSWORD)
        await fleet(hq, admin, lambda rows: len(rows) == len(STORES))
        for sku, name, cents in (("COKE-2L", "Coca-Cola 2 L", 2799), ("BREAD-W", "White bread", 1499)):
            body = {"name": name, "price_cents": cents, "vat_class": "standard"}
            assert (
                await hq.put(f"/api/v1/catalog/products/{sku}", json=body, headers=admin)
            ).status_code == 200
        town = {"description": "Town stores", "prices": {"COKE-2L": 2599}, "stores": ["MSU-01"]}
        assert (await hq.put("/api/v1/catalog/price-lists/town", json=town, headers=admin)).status_code == 200

        # P1: Coke up chain-wide (the master follows; MSU-01 keeps its list's price); P2: TY-02's bread.
        approved = await hq.post(
            "/api/v1/reviews/prices", json={"ids": ["P1", "P2"], "decision": "approved"}, headers=admin
        )
        assert approved.status_code == 200, approved.text
        await stores["TY-02"].until(lambda: len(commands_at(stores["TY-02"], "TY-02")) == 1)
        assert commands_at(stores["TY-02"], "TY-02")[0].body == {
            "prices": [{"sku": "BREAD-W", "price_cents": 1199}, {"sku": "COKE-2L", "price_cents": 2899}]
        }
        batch = (await hq.get(f"/api/v1/commands/{approved.json()['batch_id']}", headers=admin)).json()
        assert [d["store_id"] for d in batch["deliveries"]] == ["TY-02"]

        def prices(rows: list[dict[str, Any]]) -> dict[str, tuple[int, str]]:
            return {r["sku"]: (r["price_cents"], r["source"]) for r in rows}

        msu = (await hq.get("/api/v1/catalog/stores/MSU-01/prices", headers=admin)).json()
        ty = (await hq.get("/api/v1/catalog/stores/TY-02/prices", headers=admin)).json()
        assert prices(msu) == {"COKE-2L": (2599, "list"), "BREAD-W": (1499, "master")}
        assert prices(ty) == {"COKE-2L": (2899, "master"), "BREAD-W": (1199, "store")}

        # The next catalog push sends each store what it sells at: the approval is not undone.
        assert (await hq.post("/api/v1/catalog/push", json={}, headers=admin)).status_code == 202
        for store_id, want in (
            ("MSU-01", {"COKE-2L": 2599, "BREAD-W": 1499}),
            ("TY-02", {"COKE-2L": 2899, "BREAD-W": 1199}),
        ):
            peer = stores[store_id]
            await peer.until(
                lambda p=peer, s=store_id: any(c.type == "catalog.upsert" for c in commands_at(p, s))
            )
            [pushed] = [c for c in commands_at(peer, store_id) if c.type == "catalog.upsert"]
            assert {p["sku"]: p["price_cents"] for p in pushed.body["products"]} == want

        # HQ takes the store's own price back: it sells bread at the master's price from its next push.
        own = "/api/v1/catalog/stores/TY-02/prices/BREAD-W"
        body = {"username": "neo", "password": "neo-analyst-1", "roles": ["analyst"]}
        assert (await hq.post("/api/v1/users", json=body, headers=admin)).status_code == 201
        analyst = await login(hq, "neo", "neo-analyst-1")
        assert (await hq.delete(own, headers=analyst)).status_code == 403
        dropped = await hq.delete(own, headers=admin)
        assert dropped.status_code == 200, dropped.text
        assert prices(dropped.json()) == {"COKE-2L": (2899, "master"), "BREAD-W": (1499, "master")}
        again = await hq.delete(own, headers=admin)
        assert again.status_code == 404 and "no price of its own" in again.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_approved_prices_reach_their_stores_and_confirmed_alerts_become_labels(
    hq_dir: Path, broker: MosquittoBroker, stores: dict[str, MqttPeer], tmp_path: Path
) -> None:
    lakehouse = tmp_path / "lakehouse"
    write_outputs(lakehouse)
    settings = load_hq_settings(hq_dir, mqtt_url=broker.url("aiwebpos-hq"), lakehouse=str(lakehouse))
    async with AsyncTestClient(app=create_hq_app(settings)) as hq:
        admin = await login(hq, "admin", ADMIN_PASSWORD)
        await fleet(hq, admin, lambda rows: len(rows) == len(STORES))
        coke = {"name": "Coca-Cola 2 L", "price_cents": 2799, "vat_class": "standard"}
        assert (await hq.put("/api/v1/catalog/products/COKE-2L", json=coke, headers=admin)).status_code == 200

        listed = (await hq.get("/api/v1/reviews/prices", headers=admin)).json()
        assert {r["recommendation_id"]: r["status"] for r in listed} == dict.fromkeys(
            ["P1", "P2", "P3"], "proposed"
        )
        unknown = await hq.post(
            "/api/v1/reviews/prices", json={"ids": ["P1", "P9"], "decision": "approved"}, headers=admin
        )
        assert unknown.status_code == 400 and "P9" in unknown.text
        assert lake_rows(lakehouse, "price_decisions") == []  # all or nothing

        approved = await hq.post(
            "/api/v1/reviews/prices", json={"ids": ["P1", "P2"], "decision": "approved"}, headers=admin
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["decided"] == 2 and approved.json()["batch_id"]
        # P1 is chain-wide: every store, and the master; P2 is TY-02's own markdown.
        await stores["MSU-01"].until(lambda: len(commands_at(stores["MSU-01"], "MSU-01")) == 1)
        await stores["TY-02"].until(lambda: len(commands_at(stores["TY-02"], "TY-02")) == 1)
        assert commands_at(stores["MSU-01"], "MSU-01")[0].body == {
            "prices": [{"sku": "COKE-2L", "price_cents": 2899}]
        }
        assert commands_at(stores["TY-02"], "TY-02")[0].body == {
            "prices": [{"sku": "BREAD-W", "price_cents": 1199}, {"sku": "COKE-2L", "price_cents": 2899}]
        }
        assert (await hq.get("/api/v1/catalog/products/COKE-2L", headers=admin)).json()["price_cents"] == 2899
        rejected = await hq.post(
            "/api/v1/reviews/prices",
            json={"ids": ["P3"], "decision": "rejected", "note": "too soon"},
            headers=admin,
        )
        assert rejected.json() == {"decided": 1, "batch_id": None}
        statuses = {
            r["recommendation_id"]: r["status"]
            for r in (await hq.get("/api/v1/reviews/prices", headers=admin)).json()
        }
        assert statuses == {"P1": "approved", "P2": "approved", "P3": "rejected"}
        decided = {
            r["recommendation_id"]: (r["decision"], r["decided_by"])
            for r in lake_rows(lakehouse, "price_decisions")
        }
        assert decided == {
            "P1": ("approved", "admin"),
            "P2": ("approved", "admin"),
            "P3": ("rejected", "admin"),
        }

        # The fraud alerts: one confirmed (a label for training), one dismissed; each reviewed once.
        open_alerts = (await hq.get("/api/v1/reviews/fraud", headers=admin)).json()
        assert [a["ref"] for a in open_alerts] == ["MSU-01-T1-000042", "TY-02-T2-CN-000007"]
        sale = {"store_id": "MSU-01", "kind": "sale", "ref": "MSU-01-T1-000042"}
        confirmed = await hq.post(
            "/api/v1/reviews/fraud",
            json={**sale, "verdict": "fraud", "note": "voids after payment"},
            headers=admin,
        )
        assert confirmed.status_code == 201, confirmed.text
        again = await hq.post("/api/v1/reviews/fraud", json={**sale, "verdict": "not_fraud"}, headers=admin)
        assert again.status_code == 409
        ret = {"store_id": "TY-02", "kind": "return", "ref": "TY-02-T2-CN-000007", "verdict": "not_fraud"}
        assert (await hq.post("/api/v1/reviews/fraud", json=ret, headers=admin)).status_code == 201
        missing = await hq.post("/api/v1/reviews/fraud", json={**ret, "ref": "NOPE"}, headers=admin)
        assert missing.status_code == 404
        assert (await hq.get("/api/v1/reviews/fraud", headers=admin)).json() == []
        reviewed = (await hq.get("/api/v1/reviews/fraud?status=reviewed", headers=admin)).json()
        assert {a["ref"]: a["verdict"] for a in reviewed} == {
            "MSU-01-T1-000042": "fraud",
            "TY-02-T2-CN-000007": "not_fraud",
        }
        [label] = lake_rows(lakehouse, "fraud_labels")
        assert (label["source"], label["kind"], label["ref"], label["cashier"], str(label["date"])) == (
            "review",
            "sale",
            "MSU-01-T1-000042",
            "thabo",
            "2026-11-27",
        )

        # Analysts see the reviews; they do not decide.
        body = {"username": "neo", "password": "neo-analyst-1", "roles": ["analyst"]}
        assert (await hq.post("/api/v1/users", json=body, headers=admin)).status_code == 201
        analyst = await login(hq, "neo", "neo-analyst-1")
        assert (await hq.get("/api/v1/reviews/prices", headers=analyst)).status_code == 200
        no = await hq.post(
            "/api/v1/reviews/prices", json={"ids": ["P3"], "decision": "approved"}, headers=analyst
        )
        assert no.status_code == 403


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_reviews_page_approves_a_proposal_and_confirms_an_alert(
    hq_dir: Path, broker: MosquittoBroker, stores: dict[str, MqttPeer], tmp_path: Path
) -> None:
    lakehouse = tmp_path / "lakehouse"
    write_outputs(lakehouse)
    settings = load_hq_settings(hq_dir, mqtt_url=broker.url("aiwebpos-hq"), lakehouse=str(lakehouse))
    with served(create_hq_app(settings), "HQ") as url, chromium() as browser:
        with httpx.Client(base_url=url, timeout=30) as http:  # bread is in the master at M14.99
            token = http.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
            bread = {"name": "White bread", "price_cents": 1499, "vat_class": "standard"}
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            assert (
                http.put("/api/v1/catalog/products/BREAD-W", json=bread, headers=headers).status_code == 200
            )
        page = hq_logged_in(browser, url, ADMIN_PASSWORD)
        page.get_by_role("link", name="Reviews").click()
        expect(page.locator("#prices tbody tr")).to_have_count(3)
        page.get_by_role("button", name="Approve ticked").click()
        expect(page.locator("#message")).to_have_text("tick the proposals first")
        page.get_by_label("choose BREAD-W at TY-02").check()
        page.get_by_role("button", name="Approve ticked").click()
        expect(page.locator('#prices tr[data-id="P2"] td').last).to_have_text("approved")
        expect(page.locator('#deliveries tr[data-store="TY-02"]')).to_be_visible()
        expect(page.get_by_label("choose BREAD-W at TY-02")).to_be_disabled()

        expect(page.locator("#alerts tbody tr")).to_have_count(2)
        page.locator('#alerts tr[data-ref="MSU-01-T1-000042"]').get_by_role(
            "button", name="Fraud", exact=True
        ).click()
        expect(page.locator("#alerts tbody tr")).to_have_count(1)
        expect(page.locator("#message")).to_have_text("sale MSU-01-T1-000042: fraud")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "hq-reviews.png"), full_page=True)

        # The catalog page shows the approved markdown as TY-02's own price, and HQ can take it back.
        page.get_by_role("link", name="Catalog").click()
        # By id: once its options are in, the select's accessible name is "Store" plus the chosen store.
        page.locator("#price-store").select_option("TY-02")
        page.get_by_role("button", name="Show prices").click()
        bread_at_ty = page.locator('#store-prices tr[data-sku="BREAD-W"] td')
        expect(bread_at_ty.nth(3)).to_have_text("M 11.99")
        expect(bread_at_ty.nth(4)).to_have_text("this store")
        page.screenshot(path=str(SCREENSHOTS / "hq-store-prices.png"), full_page=True)
        page.get_by_role("button", name="use the list or master price for BREAD-W at TY-02").click()
        expect(bread_at_ty.nth(3)).to_have_text("M 14.99")
        expect(bread_at_ty.nth(4)).to_have_text("master")
        expect(page.locator("#message")).to_contain_text(
            "BREAD-W at TY-02 follows its price list or the master"
        )
    stores["TY-02"].wait_for(lambda: len(commands_at(stores["TY-02"], "TY-02")) == 1)
    assert commands_at(stores["TY-02"], "TY-02")[0].body == {
        "prices": [{"sku": "BREAD-W", "price_cents": 1199}]
    }
