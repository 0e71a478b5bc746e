"""The manager's screen on the till, in Chromium: the coming days as a chart, what to reorder, and the
transactions the fraud model flagged, with their reasons. The node runs in this process under uvicorn
with a settable clock, so that five weeks of sales can happen in a few seconds."""

import os
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from catalog_codes import COKE_2L, MAIZE_10KG, SUGAR
from edge_support import START, USERS
from forecast_kit import DAYS, sugar_a_day, train_forecaster, use_forecaster
from model_release_kit import FRAUD, fraud_frames, fraud_transactions
from playwright.sync_api import Browser, Route, expect

from aiwebpos_edge.app import create_app
from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.node import Node
from aiwebpos_edge.scoring.registry import LoadedModel
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_models.fraud import FraudModel
from devkit.served import served as serve_in_thread

SCREENSHOTS = Path(os.environ.get("AIWEBPOS_SCREENSHOTS", "var/screenshots"))


class Served:
    def __init__(self, settings: NodeSettings, clock: SettableClock) -> None:
        self.app = create_app(settings, clock)
        self.url = ""

    @property
    def node(self) -> Node:
        node: Node = self.app.state.node
        return node


@pytest.fixture
def served(node_settings: NodeSettings, demo_catalog: None) -> Iterator[Served]:
    running = Served(node_settings, SettableClock(START))
    with serve_in_thread(running.app, "the node") as running.url:
        yield running


class Till:
    """A cashier selling over HTTP, logging in again each day (the clock moves a day at a time)."""

    def __init__(self, served: Served, clock: SettableClock) -> None:
        self.http, self.clock = httpx.Client(base_url=served.url, timeout=10), clock
        self.shift_id = ""

    def log_in(self, role: str = "cashier") -> None:
        answer = self.http.post("/api/v1/auth/pin", json={"terminal_id": "T1", "pin": USERS[role][1]})
        self.http.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    def sell(self, *codes: str, voids: int = 0) -> None:
        sale = self.http.post("/api/v1/sales", json={"terminal_id": "T1", "shift_id": self.shift_id}).json()
        path = f"/api/v1/sales/{sale['id']}"
        for code in codes:
            sale = self.http.post(f"{path}/lines", json={"barcode": code}).json()
        for _ in range(voids):
            sale = self.http.post(f"{path}/lines", json={"barcode": COKE_2L}).json()
            line = sale["lines"][-1]["line_id"]
            sale = self.http.request("DELETE", f"{path}/lines/{line}", json={"reason": "changed mind"}).json()
        self.http.post(f"{path}/payments", json={"method": "cash", "amount_cents": sale["cash_due_cents"]})
        assert self.http.post(f"{path}/complete", json={}).status_code == 200


def wait_until_scored(served: Served) -> None:
    """Scoring runs in a niced worker after each sale: on a busy machine it catches up after the rush."""
    deadline = time.monotonic() + 60
    while True:
        conn = connect(served.node.settings.db_path, readonly=True)
        pending = conn.execute("SELECT COUNT(*) FROM fraud_scores WHERE status = 'pending'").fetchone()[0]
        conn.close()
        if pending == 0:
            return
        assert time.monotonic() < deadline, f"{pending} sales still waiting for their score"
        time.sleep(0.1)


def test_the_manager_sees_the_forecast_chart_the_reorders_and_the_flagged_sales(
    served: Served, browser: Browser
) -> None:
    clock = served.app.state.node.clock
    assert isinstance(clock, SettableClock)
    use_forecaster(served.node, train_forecaster())
    fraud = FraudModel(trees=20).fit(fraud_transactions(), fraud_frames()["shifts"])
    served.node.models.swap(LoadedModel(FRAUD, "7", "ab" * 32, "2026-11-23T08:00:00.000Z", fraud))
    till = Till(served, clock)
    till.log_in()
    till.shift_id = till.http.post(
        "/api/v1/shifts", json={"terminal_id": "T1", "opening_float_cents": 50_000}
    ).json()["id"]
    for i in range(DAYS):
        day = START.date() + timedelta(days=i)
        for _ in range(sugar_a_day(day)):
            till.sell(SUGAR)
        till.sell(MAIZE_10KG, voids=3 if i == DAYS - 1 else 0)  # the last day: a sale voided thrice
        clock.advance(timedelta(days=1))
        till.log_in()
    till.http.close()

    wait_until_scored(served)
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    page.goto(f"{served.url}/till/?terminal=T1")
    # A slow store network: the till's login is still loading its quick keys (then a new sale) when the
    # manager taps Manager. The manager's screen must be what shows once the login has finished.
    held: list[Route] = []
    page.route("**/api/v1/config", lambda route: held.append(route))
    for digit in USERS["manager"][1]:
        page.get_by_role("button", name=f"digit {digit}").click()
    page.get_by_role("button", name="log in").click()
    page.get_by_role("button", name="Manager").click()
    while not held:
        page.wait_for_timeout(20)  # lets Playwright hand the held request to its handler
    held[0].continue_()
    page.unroute("**/api/v1/config")
    page.wait_for_function("() => state.sale !== null")  # the login has opened its new sale
    expect(page.locator("#sale")).to_be_hidden()
    expect(page.locator("#manager-panel")).to_be_visible()

    bars = page.locator("#forecast-chart rect")
    expect(bars).to_have_count(14)
    values = [int(bars.nth(i).get_attribute("data-value-cents") or 0) for i in range(14)]
    assert min(values) > 0
    expect(page.locator("#forecast-note")).to_contain_text("forecast model v3")
    # No delivery was ever received: what sold is missing from the shelf, and both products are due.
    expect(page.locator("#reorder tbody tr")).to_have_count(2)
    expect(page.locator("#reorder")).to_contain_text("White Sugar 2.5 kg (SUGAR-25)")
    flagged = page.locator("#fraud tbody tr")
    expect(flagged.first).to_contain_text("3 line(s) voided")
    expect(flagged.first).to_contain_text("thabo")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "till-manager.png"), full_page=True)

    page.locator("#manager-back").click()
    expect(page.locator("#sale")).to_be_visible()
    page.close()


def test_a_cashier_has_no_manager_button(served: Served, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1024, "height": 600})
    page.goto(f"{served.url}/till/?terminal=T1")
    for digit in USERS["cashier"][1]:
        page.get_by_role("button", name=f"digit {digit}").click()
    page.get_by_role("button", name="log in").click()
    expect(page.locator("#cashier")).to_have_text("Cashier: thabo")
    expect(page.get_by_role("button", name="Manager")).to_be_hidden()
    page.close()
