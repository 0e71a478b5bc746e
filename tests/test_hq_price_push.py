"""A price changed at HQ reaches the stores it was pushed to, each store answers, and HQ shows the answer
per store: real store nodes, a real Mosquitto under the production ACL, the real HQ app — through its
API, and through its catalog page in Chromium.

The nodes and the broker are shared by the module's tests (a node costs seconds to start); each test
has its own HQ, and leaves both nodes running.
"""

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from playwright.sync_api import expect

from aiwebpos_cloud.hq.app import create_hq_app
from aiwebpos_cloud.hq.settings import load_hq_settings
from aiwebpos_edge.demo.seed import seed_demo_store
from aiwebpos_edge.settings import load_settings
from devkit.browser import chromium, hq_logged_in
from devkit.chain import StoreNode
from devkit.fixtures import BROKER_USERS
from devkit.mosquitto import MosquittoBroker
from devkit.served import served

PASSWORD = "admin-secret-1"
SCREENSHOTS = Path(os.environ.get("AIWEBPOS_SCREENSHOTS", "var/screenshots"))


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MosquittoBroker]:
    mosquitto = MosquittoBroker(tmp_path_factory.mktemp("push") / "broker", BROKER_USERS)
    mosquitto.start()
    yield mosquitto
    mosquitto.kill()


@pytest.fixture(scope="module")
def nodes(
    tmp_path_factory: pytest.TempPathFactory, seeded_store: Path, broker: MosquittoBroker
) -> Iterator[dict[str, StoreNode]]:
    root = tmp_path_factory.mktemp("nodes")
    shutil.copytree(seeded_store, root / "MSU-01")
    seed_demo_store(load_settings(root / "TY-02"), "TY-02")
    started = {s: StoreNode(root / s, broker.url(s)) for s in ("MSU-01", "TY-02")}
    for node in started.values():
        node.start()
    yield started
    for node in started.values():
        node.stop()


def init_hq(folder: Path) -> None:
    command = [str(Path(sys.executable).parent / "aiwebpos-cloud"), "hq", "init", "--data-dir", str(folder)]
    done = subprocess.run(
        [*command, "--admin-password", PASSWORD], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
async def hq(tmp_path: Path, broker: MosquittoBroker) -> AsyncIterator[AsyncTestClient[Any]]:
    folder = tmp_path / "hq"
    await asyncio.to_thread(init_hq, folder)
    settings = load_hq_settings(folder, mqtt_url=broker.url("aiwebpos-hq"))
    async with AsyncTestClient(app=create_hq_app(settings)) as client:
        token = await client.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield client


def product_at(node: StoreNode, sku: str) -> dict[str, Any]:
    """The product as the node's till sees it (a cashier's PIN login on T1)."""
    with httpx.Client(base_url=node.url, timeout=10) as http:
        token = http.post("/api/v1/auth/pin", json={"terminal_id": "T1", "pin": "1234"}).json()[
            "access_token"
        ]
        product: dict[str, Any] = http.get(
            f"/api/v1/products/{sku}", headers={"Authorization": f"Bearer {token}"}
        ).json()
        return product


def price_at(node: StoreNode, sku: str) -> int:
    return int(product_at(node, sku)["price_cents"])


def master_entry(node: StoreNode, sku: str) -> dict[str, Any]:
    """The product as the node has it, as a catalog master entry (HQ's master starts empty)."""
    p = product_at(node, sku)
    fields = ("name", "price_cents", "vat_class", "unit", "category", "barcodes")
    return {k: p[k] for k in fields}


async def until(hq: AsyncTestClient[Any], path: str, done: Any, within: float = 30) -> Any:
    deadline = time.monotonic() + within
    while True:
        answer = (await hq.get(path)).json()
        if done(answer):
            return answer
        assert time.monotonic() < deadline, answer
        await asyncio.sleep(0.2)


def states(pushed: dict[str, Any]) -> dict[str, str]:
    return {d["store_id"]: d["state"] for d in pushed["deliveries"]}


async def test_a_price_pushed_to_one_store_changes_there_only_and_hq_sees_it_applied(
    nodes: dict[str, StoreNode], hq: AsyncTestClient[Any]
) -> None:
    await until(hq, "/api/v1/fleet/", lambda rows: {r["store_id"] for r in rows if r["online"]} == set(nodes))
    before = price_at(nodes["TY-02"], "SUGAR-25")

    pushed = await hq.post(
        "/api/v1/commands/prices",
        json={"prices": [{"sku": "SUGAR-25", "price_cents": 5999}], "stores": ["MSU-01"]},
    )
    assert pushed.status_code == 202, pushed.text
    batch = pushed.json()["batch_id"]
    assert states(pushed.json()) in ({"MSU-01": "queued"}, {"MSU-01": "sent"})  # sent: the broker has it
    done = await until(hq, f"/api/v1/commands/{batch}", lambda b: states(b) == {"MSU-01": "applied"})
    assert done["issued_by"] == "admin" and done["deliveries"][0]["answered_at"]
    assert price_at(nodes["MSU-01"], "SUGAR-25") == 5999
    assert price_at(nodes["TY-02"], "SUGAR-25") == before

    # The catalog master at HQ, with a price list for TY-02: each store gets the master at its prices.
    for sku in ("SUGAR-25", "COKE-2L"):
        assert (
            await hq.put(f"/api/v1/catalog/products/{sku}", json=master_entry(nodes["MSU-01"], sku))
        ).status_code == 200
    rural = {"prices": {"SUGAR-25": 5799}, "stores": ["TY-02"]}
    assert (await hq.put("/api/v1/catalog/price-lists/rural", json=rural)).status_code == 200
    catalog = (await hq.post("/api/v1/catalog/push", json={})).json()
    both = {"MSU-01": "applied", "TY-02": "applied"}
    await until(hq, f"/api/v1/commands/{catalog['batch_id']}", lambda b: states(b) == both)
    master_price = master_entry(nodes["MSU-01"], "SUGAR-25")["price_cents"]
    assert (price_at(nodes["MSU-01"], "SUGAR-25"), price_at(nodes["TY-02"], "SUGAR-25")) == (
        master_price,
        5799,
    )

    # A SKU a store does not sell: that store answers failed, with its reason.
    wrong = await hq.post(
        "/api/v1/commands/prices", json={"prices": [{"sku": "NO-SUCH-SKU", "price_cents": 100}]}
    )
    failed = await until(
        hq,
        f"/api/v1/commands/{wrong.json()['batch_id']}",
        lambda b: set(states(b).values()) == {"failed"},
    )
    assert all("NO-SUCH-SKU" in d["detail"] for d in failed["deliveries"]), failed

    # Bad pushes are refused before anything leaves HQ.
    unknown = await hq.post(
        "/api/v1/commands/prices", json={"prices": [{"sku": "X", "price_cents": 1}], "stores": ["ZZ-99"]}
    )
    assert unknown.status_code == 400 and "ZZ-99" in unknown.json()["detail"]
    negative = await hq.post("/api/v1/commands/prices", json={"prices": [{"sku": "X", "price_cents": -1}]})
    assert negative.status_code == 400
    assert (await hq.post("/api/v1/commands/prices", json={"prices": []})).status_code == 400
    assert (await hq.get("/api/v1/commands/nope")).status_code == 404


async def test_a_store_that_is_offline_applies_the_push_when_it_is_back(
    nodes: dict[str, StoreNode], hq: AsyncTestClient[Any]
) -> None:
    await until(hq, "/api/v1/fleet/", lambda rows: {r["store_id"] for r in rows if r["online"]} == set(nodes))
    nodes["TY-02"].stop()
    await until(
        hq, "/api/v1/fleet/", lambda rows: not next(r for r in rows if r["store_id"] == "TY-02")["online"]
    )
    pushed = await hq.post(
        "/api/v1/commands/prices", json={"prices": [{"sku": "COKE-2L", "price_cents": 2899}]}
    )
    batch = pushed.json()["batch_id"]
    await until(
        hq, f"/api/v1/commands/{batch}", lambda b: states(b) == {"MSU-01": "applied", "TY-02": "sent"}
    )
    nodes["TY-02"].start()  # its persistent session held the command
    # A node that restarts on a busy 2-core machine (the whole suite running) may take a while to reconnect.
    both = {"MSU-01": "applied", "TY-02": "applied"}
    await until(hq, f"/api/v1/commands/{batch}", lambda b: states(b) == both, within=90)
    assert price_at(nodes["TY-02"], "COKE-2L") == 2899


@pytest.fixture
def hq_url(tmp_path: Path, broker: MosquittoBroker) -> Iterator[str]:
    init_hq(tmp_path / "hq")
    settings = load_hq_settings(tmp_path / "hq", mqtt_url=broker.url("aiwebpos-hq"))
    with served(create_hq_app(settings), "HQ") as url:
        yield url


def test_a_price_edited_on_the_catalog_page_is_pushed_to_one_store_and_applied_there(
    nodes: dict[str, StoreNode], hq_url: str
) -> None:
    with httpx.Client(base_url=hq_url, timeout=10) as http:
        token = http.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        for sku in ("SUGAR-25", "COKE-2L", "OIL-2L"):
            entry = master_entry(nodes["MSU-01"], sku)
            assert http.put(f"/api/v1/catalog/products/{sku}", json=entry, headers=headers).status_code == 200
        deadline = time.monotonic() + 30
        while {
            r["store_id"] for r in http.get("/api/v1/fleet/", headers=headers).json() if r["online"]
        } != set(nodes):
            assert time.monotonic() < deadline, "the stores never showed online at HQ"
            time.sleep(0.2)
    ty_before = price_at(nodes["TY-02"], "OIL-2L")

    with chromium() as browser:
        page = hq_logged_in(browser, hq_url, PASSWORD, width=1400)
        page.get_by_role("link", name="Catalog").click()
        expect(page).to_have_url(f"{hq_url}/hq/catalog.html")
        expect(page.locator("#count")).to_have_text("3 products")
        page.get_by_label("Search").fill("oil")
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#products tbody tr")).to_have_count(1)
        page.locator('tr[data-sku="OIL-2L"]').get_by_role("button", name="Edit").click()
        expect(page.get_by_label("SKU", exact=True)).to_have_value("OIL-2L")
        page.get_by_label("Price (M, VAT inclusive)").fill("seventy")
        page.get_by_role("button", name="Save product").click()
        expect(page.locator("#message")).to_contain_text("not a price")
        page.get_by_label("Price (M, VAT inclusive)").fill("72.49")
        page.get_by_role("button", name="Save product").click()
        expect(page.locator("#message")).to_contain_text("OIL-2L saved at M 72.49")
        expect(page.locator('tr[data-sku="OIL-2L"]')).to_contain_text("M 72.49")

        page.locator("#stores").get_by_label("MSU-01").check()
        page.get_by_role("button", name="Push to stores").click()
        expect(page.locator('#deliveries tr[data-store="MSU-01"] td').nth(1)).to_have_text(
            "applied", timeout=30_000
        )
        expect(page.locator("#push-summary")).to_have_text("catalog.upsert: every store has answered")
        expect(page.locator("#deliveries tbody tr")).to_have_count(1)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "hq-catalog-push.png"), full_page=True)
        page.close()

    assert price_at(nodes["MSU-01"], "OIL-2L") == 7249
    assert price_at(nodes["TY-02"], "OIL-2L") == ty_before  # not pushed there
