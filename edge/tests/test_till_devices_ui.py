"""The till in Chromium with its peripherals: a serial scanner's codes land in the cart, the scale weighs,
the pole display and the receipt printer follow, and the till says when the printer needs a person."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from catalog_codes import COKE_2L, MILK_1L
from device_rig import Rig, RunningNode, start_node
from edge_support import USERS
from playwright.sync_api import Browser, Page, expect

from aiwebpos_edge.settings import NodeSettings

SCREENSHOTS = Path(os.environ.get("AIWEBPOS_SCREENSHOTS", "var/screenshots"))


@pytest.fixture
def node(node_settings: NodeSettings, demo_catalog: None, rig: Rig) -> Iterator[RunningNode]:
    store = start_node(node_settings, rig)
    yield store
    store.stop()


def open_till(node: RunningNode, browser: Browser) -> Page:
    page = browser.new_page(viewport={"width": 1024, "height": 600})
    page.goto(f"{node.url}/till/?terminal=T1")
    for digit in USERS["cashier"][1]:
        page.get_by_role("button", name=f"digit {digit}").click()
    page.get_by_role("button", name="log in").click()
    page.get_by_role("button", name="Open shift").click()
    expect(page.locator("#scan")).to_be_focused()
    expect(page.get_by_role("button", name="devices and printing")).to_have_text("devices ok")
    return page


def test_a_serial_scanner_sells_and_the_display_and_printer_follow(
    node: RunningNode, rig: Rig, browser: Browser
) -> None:
    page = open_till(node, browser)
    rows = page.locator("#cart tbody tr")
    rig.scanner.scan(MILK_1L)
    expect(rows).to_have_count(1)
    rig.scanner.scan(COKE_2L)
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("Coca-Cola 2 L")
    rig.display.wait_for("Coca-Cola 2 L M27.99", "TOTAL         M49.98")
    page.get_by_role("button", name="Cash M50.00").click()
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#receipt-text")).to_contain_text("MSU-01-T1-000001")
    [page_printed] = rig.printer.wait_for_pages(1)
    assert "MSU-01-T1-000001" in page_printed.text and page_printed.drawer_kicks == [2]
    rig.display.wait_for("PAID          M50.00", "CHANGE         M0.02")
    page.get_by_role("button", name="Print", exact=True).click()  # a copy, on the node's printer
    expect(page.locator("#message")).to_have_text("Copy sent to the printer")
    _, copy = rig.printer.wait_for_pages(2)
    assert copy.text.count("*** COPY ***") == 2


def test_a_weighed_item_takes_its_weight_from_the_scale(
    node: RunningNode, rig: Rig, browser: Browser
) -> None:
    page = open_till(node, browser)
    rig.scale.set_motion()
    page.locator("#search").fill("potat")
    page.get_by_role("listitem").filter(has_text="Potatoes (per kg)").click()
    expect(page.locator("#message")).to_contain_text("not steady")
    rig.scale.set_weight("2.000")
    page.get_by_role("listitem").filter(has_text="Potatoes (per kg)").click()
    rows = page.locator("#cart tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("2.000")
    expect(page.locator("#total")).to_have_text("M29.98")


def test_the_till_says_when_the_printer_needs_a_person(node: RunningNode, rig: Rig, browser: Browser) -> None:
    page = open_till(node, browser)
    rig.printer.set_paper("out")
    rig.scanner.scan(MILK_1L)
    expect(page.locator("#cart tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Cash M21.99").click()
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#receipt-text")).to_contain_text("MSU-01-T1-000001")  # the sale is done all the same
    badge = page.get_by_role("button", name="devices and printing")
    expect(badge).to_contain_text("out of paper")
    expect(badge).to_contain_text("1 to print")
    badge.click()
    expect(page.locator("#print-queue tbody tr")).to_have_count(1)
    expect(page.locator("#print-queue")).to_contain_text("receipt MSU-01-T1-000001")
    page.screenshot(path=str(SCREENSHOTS / "till-printer-out-of-paper.png"))
    rig.printer.set_paper("ok")
    page.get_by_role("button", name="Retry printing now").click()
    [printed] = rig.printer.wait_for_pages(1)
    assert "MSU-01-T1-000001" in printed.text
    expect(badge).to_have_text("devices ok")
