"""HQ in Chromium (Debian's, headless, driven by Playwright): logging in and the fleet page, against a
real HQ under uvicorn and a real Mosquitto carrying the stores' retained status."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from hq_support import commands_at, result
from playwright.sync_api import Browser, expect

from aiwebpos_cloud.hq.app import create_hq_app
from aiwebpos_cloud.hq.settings import load_hq_settings
from aiwebpos_contracts.commands import Command
from aiwebpos_contracts.status import DeviceHealth, StoreStatus
from aiwebpos_contracts.topics import commands_topic, event_topic, status_topic
from devkit.browser import chromium, hq_logged_in
from devkit.mosquitto import MosquittoBroker
from devkit.mqtt import MqttPeer
from devkit.served import served

SCREENSHOTS = Path(os.environ.get("AIWEBPOS_SCREENSHOTS", "var/screenshots"))
PASSWORD = "admin-secret-1"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def hq_url(tmp_path: Path, broker: MosquittoBroker) -> Iterator[str]:
    folder = tmp_path / "hq"
    # The real command, in its own process (Playwright's sync API already runs an event loop here).
    command = [str(Path(sys.executable).parent / "aiwebpos-cloud"), "hq", "init", "--data-dir", str(folder)]
    done = subprocess.run(
        [*command, "--admin-password", PASSWORD], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    settings = load_hq_settings(folder, mqtt_url=broker.url("aiwebpos-hq"))
    with served(create_hq_app(settings), "HQ") as url:
        yield url


def test_logging_in_and_the_fleet_page(hq_url: str, broker: MosquittoBroker, browser: Browser) -> None:
    stores = {name: MqttPeer(broker, name, []) for name in ("MSU-01", "TY-02")}
    try:
        scanner = DeviceHealth(kind="scanner", connected=False, state="offline", detail="unplugged")
        for name, peer in stores.items():
            status = StoreStatus(
                store_id=name,
                online=True,
                at="2026-11-29T08:00:00.000Z",
                outbox_pending=3 if name == "MSU-01" else 0,
                software_version="0.1.0",
                devices={"scanner-T1": scanner} if name == "TY-02" else {},
            )
            peer.publish(status_topic(name), msgspec.json.encode(status), retain=True)

        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{hq_url}/hq/fleet.html")
        expect(page).to_have_url(f"{hq_url}/hq/")  # not logged in: back to the login page
        page.get_by_label("Username").fill("admin")
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Log in").click()
        expect(page.locator("#message")).to_have_text("wrong username or password")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{hq_url}/hq/fleet.html")

        rows = page.locator("#fleet tbody tr")
        expect(rows).to_have_count(2)
        expect(page.locator("#summary")).to_have_text("2 of 2 stores online")
        expect(page.locator('tr[data-store="MSU-01"]')).to_contain_text("3 events")
        expect(page.locator('tr[data-store="TY-02"]')).to_contain_text("scanner-T1: unplugged")

        # TY-02 goes away: its Last Will says offline, and the page shows it without a reload.
        stores["TY-02"].publish(
            status_topic("TY-02"),
            msgspec.json.encode(StoreStatus(store_id="TY-02", online=False)),
            retain=True,
        )
        expect(page.locator('tr[data-store="TY-02"] td').nth(1)).to_have_text("offline", timeout=15_000)
        expect(page.locator("#summary")).to_have_text("1 of 2 stores online")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "hq-fleet.png"), full_page=True)
        page.close()
    finally:
        for peer in stores.values():
            peer.close()


def test_the_store_settings_page_pushes_a_user_and_limits_and_shows_each_stores_answer(
    hq_url: str, broker: MosquittoBroker, browser: Browser
) -> None:
    stores = {name: MqttPeer(broker, name, [commands_topic(name)]) for name in ("MSU-01", "TY-02")}
    try:
        for name, peer in stores.items():
            peer.publish(
                status_topic(name), msgspec.json.encode(StoreStatus(store_id=name, online=True)), retain=True
            )
        page = hq_logged_in(browser, hq_url, PASSWORD, height=1000)
        page.get_by_role("link", name="Store settings").click()
        expect(page).to_have_url(f"{hq_url}/hq/stores.html")

        # A new cashier at MSU-01 only; a PIN too short is refused with the reason.
        page.locator("#stores").get_by_label("MSU-01").check()
        page.get_by_label("Username").fill("lineo")
        page.locator("#roles").get_by_label("cashier").check()
        page.get_by_label("Password (needed for a new user)").fill("lineo-pass-1")
        page.get_by_label("Till PIN (4 to 8 digits)").fill("12")
        page.get_by_role("button", name="Push user").click()
        expect(page.locator("#message")).to_have_text("a PIN is 4 to 8 digits")
        page.get_by_label("Till PIN (4 to 8 digits)").fill("4321")
        page.get_by_role("button", name="Push user").click()
        expect(page.locator('#deliveries tr[data-store="MSU-01"]')).to_be_visible()
        [command] = wait_for_commands(stores["MSU-01"], "MSU-01", 1)
        assert (command.type, command.body["username"], command.body["pin"]) == (
            "user.upsert",
            "lineo",
            "4321",
        )
        stores["MSU-01"].publish(
            event_topic("MSU-01", "command.result"), result("MSU-01", command.command_id, ok=True)
        )
        expect(page.locator('#deliveries tr[data-store="MSU-01"] td').nth(1)).to_have_text(
            "applied", timeout=15_000
        )
        expect(page.locator("#push-summary")).to_have_text("user.upsert: every store has answered")

        # A discount limit for every store (none ticked): TY-02 refuses it, and the page says why.
        page.locator("#stores").get_by_label("MSU-01").uncheck()
        page.get_by_label("Discount without a manager (%)").fill("12.5")
        page.get_by_role("button", name="Push limits").click()
        expect(page.locator("#deliveries tbody tr")).to_have_count(2)
        for name, ok in (("MSU-01", True), ("TY-02", False)):
            config = wait_for_commands(stores[name], name, 2 if name == "MSU-01" else 1)[-1]
            assert config.body == {"discount_limit_percent": "12.5"}
            stores[name].publish(
                event_topic(name, "command.result"),
                result(name, config.command_id, ok=ok, detail="" if ok else "bad setting: no"),
            )
        expect(page.locator('#deliveries tr[data-store="TY-02"] td').nth(1)).to_have_text(
            "failed", timeout=15_000
        )
        expect(page.locator('#deliveries tr[data-store="TY-02"] td').nth(2)).to_have_text("bad setting: no")
        expect(page.locator("#recent tbody tr")).to_have_count(2)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "hq-store-settings.png"), full_page=True)
        page.close()
    finally:
        for peer in stores.values():
            peer.close()


def wait_for_commands(peer: MqttPeer, store_id: str, count: int) -> list[Command]:
    peer.wait_for(lambda: len(commands_at(peer, store_id)) >= count, what=f"{count} commands at {store_id}")
    return commands_at(peer, store_id)
