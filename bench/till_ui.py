"""The web till in a real browser (Debian's Chromium, headless, driven by Playwright) on a node holding
300,000 products: how long the till takes to open, and how long a keyboard-wedge scan takes to become a
line on screen, each beside the same thing with the till's own work taken out, in the same run.

- till opens: wall time from `page.goto(/till/?terminal=T1)` until the PIN pad's buttons are visible (the
  script that wires them runs before they exist, so visible is interactive), each in a fresh browser
  context (cold cache). Limit: the same `goto` + visible of the node's `/health` answer, same browser.
- scan to line: measured inside the page. A capture-phase `keydown` listener on `window` records
  `performance.now()` when the wedge's Enter reaches the page; a MutationObserver on `#cart tbody`
  records `performance.now()` when the row count grows (after the till's `render`, before the paint).
  The difference is the browser's fetch of `POST /api/v1/sales/{id}/lines`, the JSON and the re-render.
  Limit: the same POST from Python (bench.http11, one keep-alive connection) on the same node.
"""

import asyncio
import os
import random
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, Page
from rich.progress import Progress

from aiwebpos_edge.demo.seed import ADMIN_PASSWORD, seed_demo_store
from aiwebpos_edge.demo.synthetic import synthetic_barcode, write_synthetic_catalog
from aiwebpos_edge.settings import load_settings
from bench.http11 import Connection
from bench.node import HOST, STORE_ID, edge, expect
from bench.results import RUNS, BenchResult, Figure, median, ms, percentile
from bench.stack import server_stack
from devkit.browser import CHROMIUM as CHROMIUM_PATH
from devkit.browser import chromium
from devkit.chain import StoreNode

NAME = "till_ui"
PRODUCTS = 300_000
SCANS = 60  # scans per run, each into the run's own sale
OPENS = 5  # till page loads (and /health loads) per run
OPEN_GOAL_S, SCAN_GOAL_MS = 2.0, 100.0
BUSY_LOAD = 2.5  # 1-minute load average above which the run is flagged (the benchmark itself ~1.5)
VIEWPORT = {"width": 1024, "height": 600}
TILL_PIN, RAW_PIN = "4711", "4722"

# Installed once in the till page: the moment each Enter reaches the page, and each time the cart grows.
OBSERVE = """() => {
  const body = document.querySelector('#cart tbody');
  const bench = { enter: [], rows: [] };
  let last = body.rows.length;
  new MutationObserver(() => {
    const n = body.rows.length;
    if (n > last) bench.rows.push(performance.now());
    last = n;
  }).observe(body, { childList: true });
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') bench.enter.push(performance.now());
  }, true);
  window.__bench = bench;
}"""
# What the browser's fetch of each POST …/lines took (request start to response end), by Resource Timing.
FETCHES = """() => performance.getEntriesByType('resource')
  .filter((e) => e.name.endsWith('/lines')).map((e) => e.responseEnd - e.startTime)"""
ROWS_ARE = "(n) => document.querySelector('#cart tbody').rows.length === n"


def build_node(folder: Path) -> Path:
    """A seeded demo store (staff, demo grocery, stock) with the 300,000-product catalog imported."""
    data_dir = folder / "node"
    seed_demo_store(load_settings(data_dir), STORE_ID)
    csv_path = folder / "catalog.csv"
    write_synthetic_catalog(csv_path, PRODUCTS)
    edge("catalog", "import", "--data-dir", str(data_dir), str(csv_path))
    csv_path.unlink()
    return data_dir


def make_cashiers(url: str) -> str:
    """Two cashiers made by the admin over the API: one for the browser (T1), one for the raw POSTs
    (T2, its shift opened here); answers the raw cashier's token."""
    with httpx.Client(base_url=url, timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        admin = {"Authorization": f"Bearer {expect(login, 200)['access_token']}"}
        for username, pin in (("bench-till", TILL_PIN), ("bench-raw", RAW_PIN)):
            body = {
                "username": username,
                "password": f"{username}-password",
                "roles": ["cashier"],
                "pin": pin,
            }
            expect(client.post("/api/v1/users", json=body, headers=admin), 201)
        token = expect(client.post("/api/v1/auth/pin", json={"terminal_id": "T2", "pin": RAW_PIN}), 200)
        raw = {"Authorization": f"Bearer {token['access_token']}"}
        shift = client.post(
            "/api/v1/shifts", json={"terminal_id": "T2", "opening_float_cents": 50000}, headers=raw
        )
        expect(shift, 201)
        return str(token["access_token"])


def page_load(browser: Browser, url: str, selector: str) -> float:
    """Wall seconds from goto to `selector` visible, in a fresh context (nothing cached)."""
    context = browser.new_context(viewport=VIEWPORT)  # type: ignore[arg-type]
    page = context.new_page()
    started = time.perf_counter()
    page.goto(url)
    page.locator(selector).first.wait_for(state="visible")
    seconds = time.perf_counter() - started
    context.close()
    return seconds


def opens(browser: Browser, url: str) -> tuple[list[float], list[float]]:
    """OPENS loads of the till and of /health, alternating; each list's median."""
    till, health = [], []
    for _ in range(OPENS):
        till.append(page_load(browser, f"{url}/till/?terminal=T1", "#pin-pad button"))
        health.append(page_load(browser, f"{url}/health", "body"))
    return till, health


def open_till(browser: Browser, url: str) -> Page:
    """The till on T1: PIN log-in on the pad, the shift opened in the UI, the observers installed."""
    page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
    page.goto(f"{url}/till/?terminal=T1")
    for digit in TILL_PIN:
        page.get_by_role("button", name=f"digit {digit}").click()
    page.get_by_role("button", name="log in").click()
    page.get_by_role("button", name="Open shift").click()
    page.locator("#sale").wait_for(state="visible")
    page.evaluate(OBSERVE)
    return page


def scans(page: Page, codes: list[str]) -> tuple[list[float], list[float], list[float]]:
    """Each code typed by the wedge with the focus on the header, then Enter; answers the in-page
    Enter → row latencies, the wall time around press + wait (Playwright's round trips included) and
    the browser's own fetch time of each POST (Resource Timing)."""
    page.evaluate(
        "() => { window.__bench.enter = []; window.__bench.rows = []; performance.clearResourceTimings(); }"
    )
    wall = []
    for n, code in enumerate(codes, start=1):
        page.locator("header").click()
        page.keyboard.type(code)
        started = time.perf_counter()
        page.keyboard.press("Enter")
        page.wait_for_function(ROWS_ARE, arg=n, timeout=10_000)
        wall.append(time.perf_counter() - started)
    marks: dict[str, list[float]] = page.evaluate("() => window.__bench")
    if len(marks["enter"]) != len(codes) or len(marks["rows"]) != len(codes):
        raise RuntimeError(f"{len(codes)} scans, {len(marks['enter'])} Enters, {len(marks['rows'])} rows")
    in_page = [(row - enter) / 1000 for enter, row in zip(marks["enter"], marks["rows"], strict=True)]
    fetches: list[float] = page.evaluate(FETCHES)
    if len(fetches) != len(codes):
        raise RuntimeError(f"{len(codes)} scans, {len(fetches)} POST …/lines in the Resource Timing")
    # The next run scans into a fresh sale: park this one (the till opens a new one).
    page.get_by_role("button", name="Suspend").click()
    page.wait_for_function(ROWS_ARE, arg=0)
    return in_page, wall, [f / 1000 for f in fetches]


async def raw_scans(port: int, token: str, codes: list[str]) -> list[float]:
    """The same lines POSTed from Python into a fresh sale on T2, one after another on one connection."""
    conn = await Connection(HOST, port).open()
    conn.token = token
    shifts = await conn.call("GET", "/api/v1/shifts?terminal_id=T2&status=open")
    shift_id = shifts.decode(list[dict[str, Any]])[0]["id"]
    sale = await conn.call("POST", "/api/v1/sales", {"terminal_id": "T2", "shift_id": shift_id}, expect=201)
    sale_id = sale.decode(dict[str, Any])["id"]
    out = []
    for code in codes:
        out.append((await conn.call("POST", f"/api/v1/sales/{sale_id}/lines", {"barcode": code})).seconds)
    await conn.call("POST", f"/api/v1/sales/{sale_id}/suspend")
    await conn.close()
    return out


def raw_in_thread(port: int, token: str, codes: list[str]) -> list[float]:
    """raw_scans on a loop of its own: Playwright's sync API already runs one in this thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, raw_scans(port, token, codes)).result()


def run(progress: Progress) -> BenchResult:
    with tempfile.TemporaryDirectory(prefix="aiwebpos-bench-") as tmp:
        step = progress.add_task(f"till_ui: a node with {PRODUCTS:,} products", total=1)
        data_dir = build_node(Path(tmp))
        progress.advance(step)
        node = StoreNode(data_dir, mqtt_url=None)
        node.start()
        try:
            token = make_cashiers(node.url)
            bar = progress.add_task("till_ui: open the till, scan in the browser and raw", total=RUNS)
            till_s, health_s, scan_s, wall_s, fetch_s, raw_s = [], [], [], [], [], []
            with chromium() as browser:
                page_load(browser, f"{node.url}/till/?terminal=T1", "#pin-pad button")  # warm-up
                page = open_till(browser, node.url)
                for run_no in range(RUNS):
                    rng = random.Random(run_no)
                    codes = [synthetic_barcode(i) for i in rng.sample(range(PRODUCTS), SCANS)]
                    till, health = opens(browser, node.url)
                    till_s.append(median(till))
                    health_s.append(median(health))
                    in_page, wall, fetch = scans(page, codes)
                    scan_s.append(in_page)
                    wall_s.append(wall)
                    fetch_s.append(fetch)
                    raw_s.append(raw_in_thread(node.port, token, codes))
                    progress.advance(bar)
        finally:
            node.stop()
    return report(till_s, health_s, scan_s, wall_s, fetch_s, raw_s)


def _p(runs: list[list[float]], p: float) -> float:
    """The median over runs of each run's p-th percentile, in ms."""
    return ms(median([percentile(r, p) for r in runs]))


def report(
    till_s: list[float],
    health_s: list[float],
    scan_s: list[list[float]],
    wall_s: list[list[float]],
    fetch_s: list[list[float]],
    raw_s: list[list[float]],
) -> BenchResult:
    result = BenchResult(NAME)
    till_ms = ms(median(till_s))
    result.add(
        Figure(
            "till opens (goto → PIN pad visible)",
            till_ms,
            "ms",
            "lower",
            ms(median(health_s)),
            "goto /health, same browser",
            f"< {OPEN_GOAL_S:g} s",
            till_ms < OPEN_GOAL_S * 1000,
        )
    )
    for p in (50, 99):
        value = _p(scan_s, p)
        result.add(
            Figure(
                f"scan to line p{p} (in page)",
                value,
                "ms",
                "lower",
                _p(raw_s, p),
                f"raw POST …/lines p{p}",
                f"< {SCAN_GOAL_MS:g} ms",
                value < SCAN_GOAL_MS,
            )
        )
    result.add(
        Figure(
            "  of it: the browser's fetch p50",
            _p(fetch_s, 50),
            "ms",
            limit=_p(raw_s, 50),
            limit_label="raw POST …/lines p50",
        )
    )
    result.add(
        Figure(
            "  scan to line p50 / wall (Playwright)",
            _p(wall_s, 50),
            "ms",
            limit=_p(raw_s, 50),
            limit_label="raw POST …/lines p50",
        )
    )
    load = os.getloadavg()[0]
    if load > BUSY_LOAD:
        result.warnings.append(
            f"load average {load:.1f} at the end on {os.cpu_count()} cores: something else was running, "
            "so the browser, the node and the raw client shared the machine with it"
        )
    result.details = {
        "products": PRODUCTS,
        "server_stack": server_stack(),
        "chromium": CHROMIUM_PATH,
        "opens_per_run": OPENS,
        "scans_per_run": SCANS,
        "till_open_ms": [ms(s) for s in till_s],
        "health_open_ms": [ms(s) for s in health_s],
        "scan_in_page_ms": {f"p{p}": [ms(percentile(r, p)) for r in scan_s] for p in (50, 99)},
        "scan_wall_ms": {f"p{p}": [ms(percentile(r, p)) for r in wall_s] for p in (50, 99)},
        "browser_fetch_ms": {f"p{p}": [ms(percentile(r, p)) for r in fetch_s] for p in (50, 99)},
        "raw_post_ms": {f"p{p}": [ms(percentile(r, p)) for r in raw_s] for p in (50, 99)},
    }
    return result
