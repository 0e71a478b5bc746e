"""Simulated tills for the demo: cashiers log in by PIN and sell realistic baskets over HTTP, as the
browser till will, with the occasional void, card payment, ZAR cash and return."""

import asyncio
import contextlib
import random
from typing import Any

import httpx

from aiwebpos_edge.demo.catalog import demo_products


class SimulatedTill:
    def __init__(self, base_url: str, terminal_id: str, pin: str, *, seed: int, pace_s: float = 2.0) -> None:
        self.base_url = base_url
        self.terminal_id = terminal_id
        self.pin = pin
        self.rng = random.Random(seed)
        self.pace_s = pace_s
        self.sold = 0
        scanable = [p for p in demo_products() if p.barcodes]
        self.codes = [p.barcodes[0] for p in scanable]
        self.quick_keys = [p.sku for p in demo_products() if not p.barcodes and p.unit == "each"]

    async def run(self, stop: asyncio.Event) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=10) as client:
            while not stop.is_set():
                try:
                    await self._shift(client, stop)
                except (httpx.HTTPError, KeyError):
                    await asyncio.sleep(1)  # the node restarted or refused: log in again

    async def _shift(self, client: httpx.AsyncClient, stop: asyncio.Event) -> None:
        login = await client.post("/api/v1/auth/pin", json={"terminal_id": self.terminal_id, "pin": self.pin})
        client.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
        shifts = (
            await client.get("/api/v1/shifts", params={"terminal_id": self.terminal_id, "status": "open"})
        ).json()
        shift_id = (
            shifts[0]["id"]
            if shifts
            else (
                await client.post(
                    "/api/v1/shifts", json={"terminal_id": self.terminal_id, "opening_float_cents": 50000}
                )
            ).json()["id"]
        )
        while not stop.is_set():
            await self._sale(client, shift_id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.rng.expovariate(1 / self.pace_s))

    async def _sale(self, client: httpx.AsyncClient, shift_id: str) -> None:
        sale: dict[str, Any] = (
            await client.post("/api/v1/sales", json={"terminal_id": self.terminal_id, "shift_id": shift_id})
        ).json()
        sale_id = sale["id"]
        for _ in range(self.rng.randint(1, 8)):
            if self.rng.random() < 0.15 and self.quick_keys:
                body: dict[str, Any] = {"sku": self.rng.choice(self.quick_keys)}
            else:
                body = {
                    "barcode": self.rng.choice(self.codes),
                    "quantity": str(self.rng.choice([1, 1, 1, 2, 3])),
                }
            sale = (await client.post(f"/api/v1/sales/{sale_id}/lines", json=body)).json()
        if self.rng.random() < 0.1 and sale["lines"]:
            line = sale["lines"][0]["line_id"]
            sale = (
                await client.request(
                    "DELETE",
                    f"/api/v1/sales/{sale_id}/lines/{line}",
                    json={"reason": "customer changed mind"},
                )
            ).json()
        if sale["total_cents"] == 0:
            await client.post(f"/api/v1/sales/{sale_id}/cancel", json={"reason": "nothing left to sell"})
            return
        if self.rng.random() < 0.3:
            payment = {
                "method": "card",
                "amount_cents": sale["outstanding_cents"],
                "reference": f"AUTH{self.rng.randint(1000, 9999)}",
            }
        else:
            due = sale["cash_due_cents"]
            tendered = due if self.rng.random() < 0.4 else (due // 5000 + 1) * 5000
            payment = {
                "method": "cash",
                "amount_cents": tendered,
                "currency": self.rng.choice(["LSL", "LSL", "ZAR"]),
            }
        await client.post(f"/api/v1/sales/{sale_id}/payments", json=payment)
        done = await client.post(f"/api/v1/sales/{sale_id}/complete", json={})
        if done.status_code == 200:
            self.sold += 1
