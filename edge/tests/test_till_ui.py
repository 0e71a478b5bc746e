"""The till in a real browser (Debian's Chromium, headless, driven by Playwright) against a real node:
the node's app under uvicorn in this process (its start costs a fraction of a second, a process's
several), its own data directory and database for each test."""

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from catalog_codes import COKE_2L, MAIZE_10KG
from edge_support import USERS
from playwright.sync_api import Browser, Page, expect

from aiwebpos_edge.app import create_app
from aiwebpos_edge.barcodes import make_gtin
from aiwebpos_edge.settings import NodeSettings
from devkit.served import served

SCREENSHOTS = Path(os.environ.get("AIWEBPOS_SCREENSHOTS", "var/screenshots"))


@dataclass(frozen=True)
class Node:
    url: str


@pytest.fixture
def node(node_settings: NodeSettings, demo_catalog: None) -> Iterator[Node]:
    with served(create_app(node_settings), "the node") as url:
        yield Node(url)


def _log_in(page: Page, pin: str) -> None:
    for digit in pin:
        page.get_by_role("button", name=f"digit {digit}").click()
    page.get_by_role("button", name="log in").click()


def _open_till(node: Node, browser: Browser, terminal: str, width: int = 1024, height: int = 600) -> Page:
    """A cashier (thabo) logged in at `terminal` with a shift just opened: the first scan is awaited."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{node.url}/till/?terminal={terminal}")
    _log_in(page, USERS["cashier"][1])
    page.get_by_role("button", name="Open shift").click()
    expect(page.locator("#scan")).to_be_focused()
    return page


def _answer(page: Page, text: str) -> None:
    page.locator("#ask-input").fill(text)
    page.locator("#ask-ok").click()


def test_a_whole_sale_by_scanner_keystrokes(node: Node, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1024, "height": 600})
    page.goto(f"{node.url}/till/?terminal=T1")
    _log_in(page, "0000")
    expect(page.locator("#message")).to_contain_text("wrong PIN")
    _log_in(page, USERS["cashier"][1])
    expect(page.locator("#cashier")).to_have_text("Cashier: thabo")
    page.get_by_role("button", name="Open shift").click()
    rows = page.locator("#cart tbody tr")

    page.locator("header").click()  # the focus is anywhere but the barcode field: the wedge still lands
    page.keyboard.type(MAIZE_10KG, delay=5)
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Iwisa Super Maize Meal 10 kg")

    unknown = make_gtin("600987654321")
    page.keyboard.type(unknown, delay=5)
    page.keyboard.press("Enter")
    expect(page.locator("#message")).to_have_text(f"barcode {unknown} is not in the catalog")
    expect(rows).to_have_count(1)  # the cart is kept

    page.keyboard.type(COKE_2L, delay=5)
    page.keyboard.press("Enter")
    expect(rows).to_have_count(2)
    page.keyboard.type(MAIZE_10KG, delay=5)
    page.keyboard.press("Enter")
    expect(rows).to_have_count(3)
    page.get_by_role("button", name="void Iwisa Super Maize Meal 10 kg").nth(1).click()
    _answer(page, "scanned twice")
    expect(page.locator("#ask-title")).to_contain_text("manager PIN")  # M129.99 is over the void limit
    _answer(page, USERS["manager"][1])
    expect(rows.nth(2)).to_have_class("voided")
    expect(page.locator("#total")).to_have_text("M157.98")
    page.screenshot(path=str(SCREENSHOTS / "till-sale.png"))

    page.get_by_role("button", name="Cash M160.00").click()
    expect(page.locator("#message")).to_have_text("Change M2.02")
    page.get_by_role("button", name="Complete").click()
    receipt = page.locator("#receipt-text")
    expect(receipt).to_contain_text("TAX INVOICE")
    expect(receipt).to_contain_text("MSU-01-T1-000001")
    expect(receipt).to_contain_text("VAT no. LS-VAT-0123456")
    expect(receipt).to_contain_text("VAT standard 15%")
    page.screenshot(path=str(SCREENSHOTS / "till-receipt.png"))
    page.emulate_media(media="print")  # what the Print button sends to the printer: the receipt alone
    expect(receipt).to_be_visible()
    expect(page.locator("header")).not_to_be_visible()
    expect(page.get_by_role("button", name="New sale")).not_to_be_visible()
    page.emulate_media(media="screen")
    page.get_by_role("button", name="New sale").click()
    expect(rows).to_have_count(0)
    page.close()


def test_every_control_is_touch_sized_and_named(node: Node, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1024, "height": 600})
    page.goto(f"{node.url}/till/?terminal=T2")
    _log_in(page, USERS["cashier2"][1])
    page.get_by_role("button", name="Open shift").click()
    page.locator("#scan").fill(MAIZE_10KG)
    page.locator("#scan").press("Enter")
    expect(page.locator("#cart tbody tr")).to_have_count(1)
    for button in page.get_by_role("button").all():
        if not button.is_visible():
            continue
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44 and box["width"] >= 44, button.inner_text()
        assert (button.get_attribute("aria-label") or button.inner_text()).strip()
    page.close()


def test_find_by_name_split_tender_and_closing_the_shift(node: Node, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{node.url}/till/?terminal=T3")
    _log_in(page, USERS["cashier"][1])
    page.locator("#float").fill("200.00")
    page.get_by_role("button", name="Open shift").click()
    page.locator("#search").fill("tomat")
    page.get_by_role("listitem").filter(has_text="Tomatoes (per kg)").click()
    _answer(page, "1.5")  # a weighed item asks for its weight
    rows = page.locator("#cart tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("1.500")
    expect(page.locator("#total")).to_have_text("M29.99")
    page.get_by_role("button", name="Card").click()
    expect(page.locator("#ask-input")).to_have_value("29.99")  # what is due, prefilled
    page.locator("#ask-input").press("Enter")
    page.locator("#ask-input").fill("AUTH-77")
    page.locator("#ask-input").press("Enter")
    expect(page.locator("#message")).to_have_text("Change M0.00")
    page.get_by_role("button", name="Complete").click()
    page.get_by_role("button", name="New sale").click()
    page.get_by_role("button", name="Close shift").click()
    page.get_by_label("number of M100.00").fill("1")  # M195 in the drawer, note by note
    page.get_by_label("number of M50.00").fill("1")
    page.get_by_label("number of M20.00").fill("2")
    page.get_by_label("number of M5.00").fill("1")
    expect(page.locator("#counted")).to_have_text("M195.00")
    page.get_by_role("button", name="Close shift").click()
    report = page.locator("#z-text")
    expect(report).to_contain_text("Expected cash")
    expect(report).to_contain_text("M200.00")  # the float: the only sale was paid by card
    expect(report).to_contain_text("-M5.00")  # counted 195: five maloti short
    page.screenshot(path=str(SCREENSHOTS / "till-z-report.png"))
    page.close()


def test_suspend_resume_and_a_return_at_the_till(node: Node, browser: Browser) -> None:
    page = _open_till(node, browser, "T4")
    rows = page.locator("#cart tbody tr")
    page.locator("#scan").fill(COKE_2L)
    page.locator("#scan").press("Enter")
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Suspend").click()
    expect(rows).to_have_count(0)
    page.get_by_role("button", name="Resume").click()
    page.get_by_role("button", name="resume the sale of M27.99 from T4").click()
    expect(rows).to_have_count(1)
    page.locator("#scan").fill(MAIZE_10KG)
    page.locator("#scan").press("Enter")
    page.get_by_role("button", name="Cash M157.98").click()
    page.get_by_role("button", name="Complete").click()
    receipt_no = "MSU-01-T4-000001"
    expect(page.locator("#receipt-text")).to_contain_text(receipt_no)
    page.get_by_role("button", name="New sale").click()

    page.get_by_role("button", name="Return").click()
    _answer(page, receipt_no)
    page.get_by_label("quantity of Coca-Cola 2 L to return").fill("1")
    page.get_by_role("button", name="Refund").click()
    _answer(page, "flat, no fizz")
    credit = page.locator("#receipt-text")
    expect(credit).to_contain_text("CREDIT NOTE")
    expect(credit).to_contain_text(f"(for {receipt_no})")
    expect(credit).to_contain_text("-M27.99")
    page.get_by_role("button", name="New sale").click()
    page.get_by_role("button", name="Return").click()
    _answer(page, receipt_no)
    page.get_by_label("quantity of Coca-Cola 2 L to return").fill("1")
    page.get_by_role("button", name="Refund").click()
    _answer(page, "again")
    expect(page.locator("#message")).to_contain_text("can still be returned")  # never more than sold
    page.close()


def test_quick_keys_discounts_with_approval_and_mobile_money(node: Node, browser: Browser) -> None:
    import httpx

    admin = httpx.post(
        f"{node.url}/api/v1/auth/login", json={"username": "admin", "password": "admin-secret-1"}
    )
    headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
    httpx.put(
        f"{node.url}/api/v1/config", json={"quick_keys": ["BREAD-BAKERY", "AIRTIME-VCL-10"]}, headers=headers
    )
    page = _open_till(node, browser, "T5")
    page.get_by_role("button", name="Bakery Loaf (in-store)").click()
    rows = page.locator("#cart tbody tr")
    expect(rows).to_have_count(1)
    page.locator("#scan").fill(MAIZE_10KG)
    page.locator("#scan").press("Enter")
    page.get_by_role("button", name="discount Iwisa Super Maize Meal 10 kg").click()
    _answer(page, "5")
    expect(page.locator("#total")).to_have_text("M139.49")  # 16.00 + 129.99 − 6.50
    expect(rows.nth(1)).to_contain_text("-M6.50")  # the discount column
    page.get_by_role("button", name="discount Bakery Loaf (in-store)").click()
    _answer(page, "50")
    expect(page.locator("#ask-title")).to_contain_text("manager PIN")  # 50 % is over the 10 % limit
    _answer(page, USERS["manager"][1])
    expect(page.locator("#total")).to_have_text("M131.49")
    page.get_by_role("button", name="Mobile money").click()
    page.locator("#ask-ok").click()  # the whole amount due
    _answer(page, "MPESA-8812X")
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#receipt-text")).to_contain_text("mobile_money LSL")
    page.close()


def test_charging_an_account_a_sale_discount_and_a_reprint(node: Node, browser: Browser) -> None:
    import httpx

    manager = httpx.post(
        f"{node.url}/api/v1/auth/pin", json={"terminal_id": "T9", "pin": USERS["manager"][1]}
    )
    headers = {"Authorization": f"Bearer {manager.json()['access_token']}"}
    httpx.post(
        f"{node.url}/api/v1/customers",
        headers=headers,
        json={"name": "Mpho Mokoena", "phone": "+266 5800 1234", "credit_limit_cents": 50_000},
    )
    page = _open_till(node, browser, "T6")
    page.locator("#scan").fill(MAIZE_10KG)
    page.locator("#scan").press("Enter")
    page.get_by_role("button", name="Sale discount").click()
    _answer(page, "10")
    expect(page.locator("#total")).to_have_text("M116.99")  # 129.99 − 13.00
    page.get_by_role("button", name="Account").click()
    _answer(page, "mpho")
    page.get_by_role("button", name="Charge Mpho Mokoena (M500.00 available)").click()
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#receipt-text")).to_contain_text("account LSL")
    page.get_by_role("button", name="New sale").click()
    page.get_by_role("button", name="Reprint last").click()
    expect(page.locator("#receipt-text")).to_contain_text("*** COPY ***")
    expect(page.locator("#receipt-text")).to_contain_text("MSU-01-T6-000001")
    page.close()


def test_the_on_screen_keyboard_finds_and_a_manager_changes_a_price(node: Node, browser: Browser) -> None:
    page = _open_till(node, browser, "T7", 1920, 1080)
    page.get_by_role("button", name="on-screen keyboard").click()
    for letter in "SUGAR":
        page.get_by_role("button", name=f"key {letter}").click()
    page.get_by_role("listitem").filter(has_text="White Sugar 2.5 kg").click()
    expect(page.locator("#total")).to_have_text("M54.99")
    page.get_by_role("button", name="change the price of White Sugar 2.5 kg").click()
    _answer(page, "49.99")
    _answer(page, "shelf price")
    expect(page.locator("#ask-title")).to_contain_text("manager PIN")  # a cashier cannot change prices alone
    _answer(page, USERS["manager"][1])
    expect(page.locator("#total")).to_have_text("M49.99")
    page.close()


def test_a_split_payment_card_then_cash_with_change(node: Node, browser: Browser) -> None:
    page = _open_till(node, browser, "T8")
    page.locator("#scan").fill(MAIZE_10KG)
    page.locator("#scan").press("Enter")
    page.get_by_role("button", name="Card").click()
    _answer(page, "100")
    _answer(page, "AUTH-5521")
    expect(page.locator("#message")).to_have_text("Still due M29.99")
    page.get_by_role("button", name="Cash M50.00").click()
    expect(page.locator("#message")).to_have_text("Change M20.01")
    page.get_by_role("button", name="Complete").click()
    receipt = page.locator("#receipt-text")
    expect(receipt).to_contain_text("card LSL")
    expect(receipt).to_contain_text("cash LSL")
    expect(receipt).to_contain_text("M20.01")
    page.close()


def test_quantity_key_cancel_and_cash_in_rand(node: Node, browser: Browser) -> None:
    page = _open_till(node, browser, "T9")
    rows = page.locator("#cart tbody tr")
    page.locator("#scan").fill(COKE_2L)
    page.locator("#scan").press("Enter")
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Cancel sale").click()
    _answer(page, "customer left")
    expect(rows).to_have_count(0)
    page.get_by_role("button", name="quantity for the next item").click()
    _answer(page, "3")
    page.locator("header").click()
    page.keyboard.type(COKE_2L, delay=5)
    page.keyboard.press("Enter")
    expect(rows.first).to_contain_text("Coca-Cola 2 L3")  # name, then quantity 3
    expect(page.locator("#total")).to_have_text("M83.97")
    page.get_by_label("cash in rand (at par)").check()
    page.get_by_role("button", name="Cash M100.00").click()
    expect(page.locator("#message")).to_have_text("Change M16.03")  # change in maloti
    page.get_by_role("button", name="Complete").click()
    expect(page.locator("#receipt-text")).to_contain_text("cash ZAR")
    page.close()


def test_the_till_works_from_the_keyboard_alone(node: Node, browser: Browser) -> None:
    page = browser.new_page(viewport={"width": 1024, "height": 600})
    page.goto(f"{node.url}/till/?terminal=T10")
    page.screenshot(path=str(SCREENSHOTS / "till-login.png"))
    page.keyboard.type(USERS["cashier"][1])
    page.keyboard.press("Enter")
    expect(page.locator("#cashier")).to_have_text("Cashier: thabo")
    page.get_by_role("button", name="Open shift").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#scan")).to_be_focused()  # the sale is open and waiting for the first scan
    page.keyboard.type(COKE_2L, delay=5)
    page.keyboard.press("Enter")
    expect(page.locator("#cart tbody tr")).to_have_count(1)
    page.get_by_role("button", name="Cash M27.99").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Complete").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#receipt-text")).to_contain_text("TAX INVOICE")
    page.get_by_role("button", name="New sale").focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Cancel sale").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # Escape closes a prompt: nothing happens
    expect(page.locator("#ask")).not_to_be_visible()
    page.close()
