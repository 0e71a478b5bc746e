"""A completed sale survives SIGKILL of the node: every sale the till heard completed is there after a
restart, and receipt numbers are still gap-free per terminal."""

import shutil
import threading
import time
from pathlib import Path

import httpx
import pytest
from catalog_codes import COKE_2L, MILK_1L
from edge_support import USERS

from aiwebpos_edge.db.database import connect
from aiwebpos_edge.settings import NodeSettings
from devkit.chain import StoreNode

TERMINALS = ["T1", "T2", "T3", "T4"]
PINS = [USERS["cashier"][1], USERS["cashier2"][1], USERS["manager"][1], USERS["admin"][1]]


def _login(client: httpx.Client, terminal: str, pin: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/pin", json={"terminal_id": terminal, "pin": pin}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def _sell_until_killed(url: str, terminal: str, pin: str, shift_id: str, answered: list[str]) -> None:
    """Sell whole sales until the node dies; record each receipt number the till was answered."""
    with httpx.Client(base_url=url, timeout=5) as client:
        try:
            headers = _login(client, terminal, pin)
            while True:
                sale = client.post(
                    "/api/v1/sales", json={"terminal_id": terminal, "shift_id": shift_id}, headers=headers
                ).json()
                for code in (MILK_1L, COKE_2L):
                    client.post(f"/api/v1/sales/{sale['id']}/lines", json={"barcode": code}, headers=headers)
                client.post(
                    f"/api/v1/sales/{sale['id']}/payments",
                    json={"method": "cash", "amount_cents": 5000},
                    headers=headers,
                )
                done = client.post(f"/api/v1/sales/{sale['id']}/complete", json={}, headers=headers)
                if done.status_code == 200:
                    answered.append(done.json()["receipt_no"])
        except (httpx.TransportError, KeyError, ValueError):
            return  # the node is gone


@pytest.mark.slow
def test_completed_sales_survive_sigkill_with_gap_free_numbers(
    node_settings: NodeSettings, demo_catalog: None, tmp_path: Path
) -> None:
    data_dir = Path(node_settings.data_dir)
    node = StoreNode(data_dir, mqtt_url=None)
    answered: list[str] = []
    shifts: dict[str, str] = {}
    try:
        for _ in range(3):  # three crashes in a row
            node.start()
            with httpx.Client(base_url=node.url, timeout=5) as client:
                for terminal, pin in zip(TERMINALS, PINS, strict=True):
                    if terminal not in shifts:
                        opened = client.post(
                            "/api/v1/shifts",
                            json={"terminal_id": terminal, "opening_float_cents": 10000},
                            headers=_login(client, terminal, pin),
                        )
                        shifts[terminal] = opened.json()["id"]
            tills = [
                threading.Thread(target=_sell_until_killed, args=(node.url, t, p, shifts[t], answered))
                for t, p in zip(TERMINALS, PINS, strict=True)
            ]
            for till in tills:
                till.start()
            wanted, deadline = len(answered) + 12, time.monotonic() + 60
            while (
                len(answered) < wanted and time.monotonic() < deadline
            ):  # sell a while, however slow the machine
                time.sleep(0.05)
            node.kill()
            for till in tills:
                till.join(timeout=10)
        assert len(answered) >= 36, "the tills sold before each crash"
        node.start()
        with httpx.Client(base_url=node.url, timeout=5) as client:
            headers = _login(client, "T1", PINS[0])
            for receipt_no in answered:
                found = client.get(f"/api/v1/receipts/{receipt_no}", headers=headers)
                assert found.status_code == 200, f"{receipt_no} was answered as completed but is gone"
    finally:
        node.stop()
    conn = connect(data_dir / "store.db", readonly=True)
    for terminal in TERMINALS:
        numbers = [
            int(r[0].rsplit("-", 1)[1])
            for r in conn.execute(
                "SELECT receipt_no FROM sales WHERE terminal_id = ? AND status = 'completed'", (terminal,)
            )
        ]
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), f"{terminal} numbers have a gap"
    events = conn.execute("SELECT COUNT(*) FROM outbox WHERE type = 'sale.completed'").fetchone()[0]
    completed = conn.execute("SELECT COUNT(*) FROM sales WHERE status = 'completed'").fetchone()[0]
    seqs = [r[0] for r in conn.execute("SELECT seq FROM outbox ORDER BY seq")]
    conn.close()
    assert events == completed >= len(answered), "every completed sale has its event, none without"
    assert seqs == list(range(1, len(seqs) + 1)), "outbox seq stays gap-free across crashes"
    shutil.rmtree(tmp_path, ignore_errors=True)
