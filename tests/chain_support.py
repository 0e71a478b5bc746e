"""What the cross-package tests share besides fixtures: tills selling over HTTP, waiting for reconciliation."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from aiwebpos_edge.demo.catalog import demo_products
from devkit.chain import Reconciliation, reconcile

CASHIER_PIN = "1234"  # thabo, in every demo store
CODES = [p.barcodes[0] for p in demo_products() if p.barcodes]


class Till:
    """A cashier at a terminal, selling whole sales over HTTP."""

    def __init__(self, url: str, terminal_id: str = "T1") -> None:
        self.url, self.terminal_id = url, terminal_id
        self.receipts: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @contextmanager
    def _session(self) -> Iterator[httpx.Client]:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            token = client.post(
                "/api/v1/auth/pin", json={"terminal_id": self.terminal_id, "pin": CASHIER_PIN}
            )
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield client

    def _shift(self, client: httpx.Client) -> str:
        open_ = client.get(
            "/api/v1/shifts", params={"terminal_id": self.terminal_id, "status": "open"}
        ).json()
        if open_:
            return str(open_[0]["id"])
        body = {"terminal_id": self.terminal_id, "opening_float_cents": 10000}
        return str(client.post("/api/v1/shifts", json=body).json()["id"])

    def sell(self, count: int) -> None:
        with self._session() as client:
            shift = self._shift(client)
            for i in range(count):
                self._one(client, shift, i)

    def _one(self, client: httpx.Client, shift: str, i: int) -> None:
        sale = client.post("/api/v1/sales", json={"terminal_id": self.terminal_id, "shift_id": shift}).json()
        for code in (CODES[i % len(CODES)], CODES[(i * 7 + 3) % len(CODES)]):
            sale = client.post(f"/api/v1/sales/{sale['id']}/lines", json={"barcode": code}).json()
        client.post(
            f"/api/v1/sales/{sale['id']}/payments",
            json={"method": "cash", "amount_cents": sale["cash_due_cents"]},
        )
        done = client.post(f"/api/v1/sales/{sale['id']}/complete", json={})
        assert done.status_code == 200, done.text
        self.receipts.append(done.json()["receipt_no"])

    def start(self) -> None:
        """Sell in the background until stop() (or until the node dies)."""

        def loop() -> None:
            try:
                with self._session() as client:
                    shift, i = self._shift(client), 0
                    while not self._stop.is_set():
                        self._one(client, shift, i)
                        i += 1
            except (httpx.HTTPError, KeyError):
                return

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=20)


def wait_reconciled(
    data_dir: Path, lakehouse: Path, store_id: str = "MSU-01", timeout: float = 90
) -> Reconciliation:
    """Poll until every event of the store is in the lakehouse exactly once (or time runs out)."""
    deadline = time.monotonic() + timeout
    result = reconcile(data_dir, lakehouse, store_id)
    while not result.exact and time.monotonic() < deadline:
        time.sleep(1)
        result = reconcile(data_dir, lakehouse, store_id)
    return result
