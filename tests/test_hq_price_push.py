"""A price changed at HQ reaches the stores it was pushed to, each store answers, and HQ shows the answer
per store: real store nodes, a real Mosquitto under the production ACL, the real HQ app."""

import asyncio
import shutil
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from aiwebpos_cloud.hq.app import create_hq_app
from aiwebpos_cloud.hq.settings import load_hq_settings
from aiwebpos_edge.demo.seed import seed_demo_store
from aiwebpos_edge.settings import load_settings
from devkit.chain import StoreNode
from devkit.mosquitto import MosquittoBroker

PASSWORD = "admin-secret-1"


@pytest.fixture
def nodes(tmp_path: Path, seeded_store: Path, broker: MosquittoBroker) -> Iterator[dict[str, StoreNode]]:
    shutil.copytree(seeded_store, tmp_path / "MSU-01")
    seed_demo_store(load_settings(tmp_path / "TY-02"), "TY-02")
    started = {s: StoreNode(tmp_path / s, broker.url(s)) for s in ("MSU-01", "TY-02")}
    for node in started.values():
        node.start()
    yield started
    for node in started.values():
        node.stop()


@pytest.fixture
async def hq(tmp_path: Path, broker: MosquittoBroker) -> AsyncIterator[AsyncTestClient[Any]]:
    folder = tmp_path / "hq"
    command = [str(Path(sys.executable).parent / "aiwebpos-cloud"), "hq", "init", "--data-dir", str(folder)]
    process = await asyncio.create_subprocess_exec(*command, "--admin-password", PASSWORD)
    assert await process.wait() == 0
    settings = load_hq_settings(folder, mqtt_url=broker.url("aiwebpos-hq"))
    async with AsyncTestClient(app=create_hq_app(settings)) as client:
        token = await client.post("/api/v1/auth/login", json={"username": "admin", "password": PASSWORD})
        client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield client


def price_at(node: StoreNode, sku: str) -> int:
    with httpx.Client(base_url=node.url, timeout=10) as http:
        token = http.post("/api/v1/auth/pin", json={"terminal_id": "T1", "pin": "1234"}).json()[
            "access_token"
        ]
        product = http.get(f"/api/v1/products/{sku}", headers={"Authorization": f"Bearer {token}"}).json()
        return int(product["price_cents"])


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
    assert states(pushed.json()) == {"MSU-01": "sent"}
    done = await until(hq, f"/api/v1/commands/{batch}", lambda b: states(b) == {"MSU-01": "applied"})
    assert done["issued_by"] == "admin" and done["deliveries"][0]["answered_at"]
    assert price_at(nodes["MSU-01"], "SUGAR-25") == 5999
    assert price_at(nodes["TY-02"], "SUGAR-25") == before

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
