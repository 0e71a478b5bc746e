"""A store node printing on a receipt printer on the network (devkit's simulator of one): receipts,
credit notes, reprints, the Z report and the drawer, and what happens when the printer is off, out
of paper or open — the sale never waits and no receipt is lost."""

import asyncio
import os
import select
import threading
import time
import tty
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from catalog_codes import COKE_2L, MILK_1L, SUGAR
from edge_support import Shop
from litestar.testing import AsyncTestClient

from aiwebpos_edge.app import create_app
from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.devices.config import DevicesConfig, PrinterConfig, TerminalDevices
from aiwebpos_edge.settings import NodeSettings
from devkit.escpos_decode import EscposReader, Page, Status, decode
from devkit.printer_sim import NetworkPrinterSimulator

PROFILES_DIR = str(Path(__file__).resolve().parents[2] / "firmware_config" / "printers")


@pytest.fixture
def printer() -> Iterator[NetworkPrinterSimulator]:
    with NetworkPrinterSimulator() as sim:
        yield sim


def with_printer(settings: NodeSettings, url: str) -> NodeSettings:
    devices = DevicesConfig(
        printer_profiles_dir=PROFILES_DIR,
        printers={"front": PrinterConfig(profile="epson-tm-t20", connection=url)},
        terminals={"T1": TerminalDevices(printer="front"), "T2": TerminalDevices(printer="front")},
    )
    return msgspec.structs.replace(settings, devices=devices)


@pytest.fixture
async def shop(
    node_settings: NodeSettings, clock: SettableClock, demo_catalog: None, printer: NetworkPrinterSimulator
) -> AsyncIterator[Shop]:
    app = create_app(with_printer(node_settings, printer.url), clock)
    async with AsyncTestClient(app=app) as client:
        yield Shop(client)


async def eventually(shop: Shop, path: str, check: Any, timeout_s: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        answer = (await shop.get(path)).json()
        if check(answer):
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} never got there: {answer}")
        await asyncio.sleep(0.05)


async def pages(printer: NetworkPrinterSimulator, count: int) -> list[Any]:
    return await asyncio.to_thread(printer.wait_for_pages, count)


async def test_a_cash_sale_prints_its_receipt_and_opens_the_drawer(
    shop: Shop, printer: NetworkPrinterSimulator
) -> None:
    shift = await shop.open_shift()
    receipt = await shop.sell(shift, MILK_1L, COKE_2L)
    [page] = await pages(printer, 1)
    assert receipt["receipt_no"] in page.text and "Maseru Sunrise Grocers" in page.text
    assert page.qr_codes == [receipt["receipt_no"]] and page.drawer_kicks == [2] and page.cut
    jobs = await eventually(shop, "/api/v1/print-jobs", lambda j: j and j[0]["status"] == "printed")
    assert [(j["kind"], j["reference"]) for j in jobs] == [("receipt", receipt["receipt_no"])]


async def test_a_card_sale_prints_without_opening_the_drawer(
    shop: Shop, printer: NetworkPrinterSimulator
) -> None:
    shift = await shop.open_shift()
    sale_id = await shop.new_sale(shift)
    sale = await shop.scan(sale_id, SUGAR)
    await shop.pay(sale_id, "card", sale["total_due_cents"], reference="AUTH 1")
    await shop.complete(sale_id)
    [page] = await pages(printer, 1)
    assert page.drawer_kicks == [] and "ref AUTH 1" in page.text


async def test_a_printer_that_is_off_never_blocks_a_sale_and_prints_it_when_back(
    shop: Shop, printer: NetworkPrinterSimulator
) -> None:
    printer.switch_off()
    shift = await shop.open_shift()
    receipts = [await shop.sell(shift, MILK_1L) for _ in range(3)]  # the tills sell on
    devices = await eventually(
        shop, "/api/v1/devices", lambda d: d["devices"].get("printer-front", {}).get("state") == "offline"
    )
    assert devices["devices"]["printer-front"]["connected"] is False
    assert "cannot reach the printer" in devices["devices"]["printer-front"]["detail"]
    # In order: the oldest is tried (and says why it failed), the others wait behind it.
    queued = await eventually(
        shop, "/api/v1/print-jobs?status=queued", lambda j: len(j) == 3 and j[-1]["last_error"]
    )
    assert printer.pages == []

    printer.switch_on()
    retry = await shop.post(f"/api/v1/print-jobs/{queued[-1]['id']}/retry")
    assert retry.status_code == 200
    printed = await pages(printer, 3)
    assert [receipt["receipt_no"] in page.text for page, receipt in zip(printed, receipts, strict=True)] == [
        True
    ] * 3
    await eventually(shop, "/api/v1/print-jobs?status=queued", lambda j: j == [])
    await eventually(shop, "/api/v1/devices", lambda d: d["devices"]["printer-front"]["state"] == "ok")


async def test_out_of_paper_or_cover_open_holds_the_receipts_and_says_why(
    shop: Shop, printer: NetworkPrinterSimulator
) -> None:
    shift = await shop.open_shift()
    printer.set_paper("out")
    first = await shop.sell(shift, MILK_1L)
    await eventually(shop, "/api/v1/devices", lambda d: d["devices"]["printer-front"]["state"] == "paper_out")
    printer.set_paper("ok")
    printer.set_cover_open(True)
    jobs = (await shop.get("/api/v1/print-jobs")).json()
    await shop.post(f"/api/v1/print-jobs/{jobs[0]['id']}/retry")
    health = await eventually(
        shop, "/api/v1/devices", lambda d: d["devices"]["printer-front"]["state"] == "cover_open"
    )
    assert health["devices"]["printer-front"]["queued_jobs"] == 1
    assert printer.pages == [] and printer.refused == []  # nothing was sent to a stopped printer
    printer.set_cover_open(False)
    await shop.post(f"/api/v1/print-jobs/{jobs[0]['id']}/retry")
    [page] = await pages(printer, 1)
    assert first["receipt_no"] in page.text


async def test_paper_running_low_prints_and_warns(shop: Shop, printer: NetworkPrinterSimulator) -> None:
    printer.set_paper("low")
    shift = await shop.open_shift()
    await shop.sell(shift, MILK_1L)
    await pages(printer, 1)
    # The page comes out before the node has read the printer's status after it: the warning follows.
    health = await eventually(
        shop, "/api/v1/devices", lambda d: d["devices"].get("printer-front", {}).get("state") == "paper_low"
    )
    assert health["devices"]["printer-front"]["connected"] is True  # low paper still prints


async def test_a_reprint_is_a_copy_on_the_asking_till_and_is_audited(
    shop: Shop, printer: NetworkPrinterSimulator
) -> None:
    shift = await shop.open_shift()
    receipt = await shop.sell(shift, COKE_2L)
    await pages(printer, 1)
    answer = await shop.post(f"/api/v1/receipts/{receipt['receipt_no']}/print", {"terminal_id": "T2"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["kind"] == "receipt_copy" and answer.json()["terminal_id"] == "T2"
    _, copy = await pages(printer, 2)
    assert copy.text.count("*** COPY ***") == 2 and receipt["receipt_no"] in copy.text
    assert copy.drawer_kicks == []
    audit = (await shop.get("/api/v1/audit?action=receipt.reprinted", role="manager")).json()
    assert any(entry["details"].get("receipt_no") == receipt["receipt_no"] for entry in audit)

    missing = await shop.post("/api/v1/receipts/T9-999999/print", {"terminal_id": "T1"})
    assert missing.status_code == 404
    no_printer = await shop.post(f"/api/v1/receipts/{receipt['receipt_no']}/print", {"terminal_id": "T7"})
    assert no_printer.status_code == 409 and "no receipt printer" in no_printer.json()["detail"]


async def test_a_no_sale_kicks_the_drawer_and_a_return_prints_its_credit_note(
    shop: Shop, printer: NetworkPrinterSimulator
) -> None:
    shift = await shop.open_shift()
    receipt = await shop.sell(shift, SUGAR)
    await pages(printer, 1)
    no_sale = await shop.post(
        "/api/v1/drawer/open", {"terminal_id": "T1", "reason": "change for a M200 note"}
    )
    assert no_sale.status_code == 201, no_sale.text
    refund = await shop.post(
        "/api/v1/returns",
        {
            "terminal_id": "T1",
            "receipt_no": receipt["receipt_no"],
            "lines": [{"line_id": receipt["lines"][0]["line_id"], "quantity": "1"}],
            "refund_method": "cash",
            "reason": "damaged bag",
        },
    )
    assert refund.status_code == 201, refund.text
    printed = await pages(printer, 2)  # the no-sale prints nothing: the drawer opens
    kicks = [kick for page in printed for kick in page.drawer_kicks]
    credit_note = printed[1]
    assert (
        "CREDIT NOTE" in credit_note.text and f"Against receipt: {receipt['receipt_no']}" in credit_note.text
    )
    assert len(kicks) == 3  # the sale's cash, the no-sale, the cash refund


async def test_closing_the_shift_prints_the_z_report_and_a_reprint_of_it_on_demand(
    shop: Shop, printer: NetworkPrinterSimulator
) -> None:
    shift = await shop.open_shift()
    await shop.sell(shift, MILK_1L)
    close = await shop.post(f"/api/v1/shifts/{shift}/close", {"counted_cash_cents": 52_199})
    assert close.status_code == 200, close.text
    _, z = await pages(printer, 2)
    assert "Z REPORT" in z.text and "Counted cash" in z.text and "VARIANCE" in z.text
    again = await shop.post(f"/api/v1/shifts/{shift}/print", {"terminal_id": "T1"})
    assert again.status_code == 201 and again.json()["kind"] == "z_report"
    _, _, z_again = await pages(printer, 3)
    assert z_again.text.replace("Printed", "").count("Z REPORT") == 1


async def test_a_cashier_cannot_cancel_a_print_job_and_a_manager_can(
    shop: Shop, printer: NetworkPrinterSimulator
) -> None:
    printer.switch_off()
    shift = await shop.open_shift()
    await shop.sell(shift, MILK_1L)
    [job] = (await shop.get("/api/v1/print-jobs?status=queued")).json()
    assert (await shop.post(f"/api/v1/print-jobs/{job['id']}/cancel")).status_code == 403
    cancelled = await shop.post(f"/api/v1/print-jobs/{job['id']}/cancel", role="manager")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await shop.post(f"/api/v1/print-jobs/{job['id']}/cancel", role="manager")
    assert again.status_code == 409


async def test_queued_receipts_survive_a_restart_of_the_node(
    node_settings: NodeSettings, clock: SettableClock, demo_catalog: None, printer: NetworkPrinterSimulator
) -> None:
    printer.switch_off()
    settings = with_printer(node_settings, printer.url)
    async with AsyncTestClient(app=create_app(settings, clock)) as client:
        shop = Shop(client)
        shift = await shop.open_shift()
        receipt = await shop.sell(shift, MILK_1L)
    printer.switch_on()
    async with AsyncTestClient(app=create_app(settings, clock)) as client:
        [page] = await pages(printer, 1)
        assert receipt["receipt_no"] in page.text
        jobs = await eventually(Shop(client), "/api/v1/print-jobs", lambda j: j[0]["status"] == "printed")
        assert len(jobs) == 1


async def test_a_printer_on_a_device_file_gets_the_receipt(
    node_settings: NodeSettings, clock: SettableClock, demo_catalog: None, tmp_path: Path
) -> None:
    device = tmp_path / "lp0"  # as /dev/usb/lp0: bytes written are printed, nothing is read back
    device.write_bytes(b"")
    app = create_app(with_printer(node_settings, f"file://{device}"), clock)
    async with AsyncTestClient(app=app) as client:
        shop = Shop(client)
        shift = await shop.open_shift()
        first = await shop.sell(shift, MILK_1L)
        second = await shop.sell(shift, COKE_2L)
        await eventually(shop, "/api/v1/print-jobs?status=queued", lambda j: j == [])
    pages = decode(device.read_bytes())  # appended, never truncated: both receipts are there
    assert [first["receipt_no"] in pages[0].text, second["receipt_no"] in pages[1].text] == [True, True]


class SerialPrinter:
    """A receipt printer on a serial line: a pseudo-terminal whose far end prints and answers DLE EOT."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.slave = slave
        self.path = os.ttyname(slave)
        self.pages: list[Page] = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        reader = EscposReader()
        while not self._stop:
            ready, _, _ = select.select([self.master], [], [], 0.1)
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            for item in reader.feed(data):
                if isinstance(item, Status):
                    os.write(self.master, bytes([0x12]))  # online, paper present, cover closed
                else:
                    self.pages.append(item)

    def close(self) -> None:
        self._stop = True
        self._thread.join(5)
        os.close(self.master)
        os.close(self.slave)


async def test_a_printer_on_a_serial_line_answers_its_status_and_prints(
    node_settings: NodeSettings, clock: SettableClock, demo_catalog: None
) -> None:
    printer = SerialPrinter()
    try:
        app = create_app(with_printer(node_settings, f"serial://{printer.path}?baudrate=38400"), clock)
        async with AsyncTestClient(app=app) as client:
            shop = Shop(client)
            shift = await shop.open_shift()
            receipt = await shop.sell(shift, SUGAR)
            await eventually(shop, "/api/v1/print-jobs?status=queued", lambda j: j == [])
            health = (await shop.get("/api/v1/devices")).json()["devices"]["printer-front"]
            assert health["state"] == "ok"
        [page] = printer.pages
        assert receipt["receipt_no"] in page.text and page.drawer_kicks == [2]
    finally:
        printer.close()


async def test_a_usb_printer_that_is_not_plugged_in_is_reported_and_its_receipts_wait(
    node_settings: NodeSettings, clock: SettableClock, demo_catalog: None
) -> None:
    # An Epson vendor/product id that no device on this machine has: python-escpos and pyusb look for it
    # on the real USB bus and find nothing, as with a printer whose cable is out.
    app = create_app(with_printer(node_settings, "usb://04b8:0e15"), clock)
    async with AsyncTestClient(app=app) as client:
        shop = Shop(client)
        shift = await shop.open_shift()
        receipt = await shop.sell(shift, MILK_1L)
        devices = await eventually(
            shop, "/api/v1/devices", lambda d: d["devices"].get("printer-front", {}).get("state") == "offline"
        )
        assert "not found" in devices["devices"]["printer-front"]["detail"]
        [job] = (await shop.get("/api/v1/print-jobs?status=queued")).json()
        assert job["reference"] == receipt["receipt_no"]
