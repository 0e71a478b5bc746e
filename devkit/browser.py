"""Debian's Chromium, headless, for the browser tests and the till benchmark (Playwright never downloads
a browser here: `make test` installs Debian's with apt)."""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As root, without a desktop and on a closed network: no sandbox, no GPU, no background calls home.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def hq_logged_in(browser: Browser, url: str, password: str, width: int = 1280, height: int = 900) -> Page:
    """A new page on HQ's web app at `url`, logged in as admin through its login form."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{url}/hq/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.locator("#who").filter(has_text="admin").wait_for()  # the header shows who is logged in
    return page
