"""The node's peripherals, built from the `[devices]` settings and started with the node.

Routes reach devices only through `Devices`: queue a print job in the caller's transaction, read a
terminal's scale, show a sale on its pole display, subscribe a till to its device events.
"""

import asyncio
import contextlib
import logging

from aiwebpos_contracts.events import ShiftReport
from aiwebpos_contracts.receipts import Receipt
from aiwebpos_contracts.status import DeviceHealth
from aiwebpos_edge.clock import Clock
from aiwebpos_edge.config.service import store_config, store_info
from aiwebpos_edge.db.database import Database
from aiwebpos_edge.devices.config import DevicesConfig
from aiwebpos_edge.devices.customer_display import sale_screen
from aiwebpos_edge.devices.health import HealthBoard
from aiwebpos_edge.devices.hub import DeviceEvent, TerminalHub
from aiwebpos_edge.devices.printing import jobs
from aiwebpos_edge.devices.printing.document import Document
from aiwebpos_edge.devices.printing.layout import (
    Header,
    no_sale_document,
    receipt_document,
    shift_report_document,
)
from aiwebpos_edge.devices.printing.profiles import PrinterProfile, ProfileError, load_profile
from aiwebpos_edge.devices.printing.transport import BadConnection, check_connection
from aiwebpos_edge.devices.printing.worker import PrinterWorker
from aiwebpos_edge.devices.serial import cd5220
from aiwebpos_edge.devices.serial.toledo8217 import ScaleReading
from aiwebpos_edge.devices.terminal_devices import TerminalSerialDevices
from aiwebpos_edge.errors import Conflict
from aiwebpos_edge.sales.models import SaleView
from aiwebpos_edge.settings import SettingsError
from aiwebpos_edge.tx import Tx

log = logging.getLogger("aiwebpos_edge.devices")


def check_devices(config: DevicesConfig) -> list[PrinterProfile]:
    """The printers' profiles; SettingsError naming what is wrong in the [devices] table."""
    try:
        profiles = []
        for printer in config.printers.values():
            check_connection(printer.connection)
            profiles.append(load_profile(config.printer_profiles_dir, printer.profile))
    except (BadConnection, ProfileError) as exc:
        raise SettingsError(f"[devices]: {exc}") from exc
    for terminal_id, devices in config.terminals.items():
        if devices.printer is not None and devices.printer not in config.printers:
            raise SettingsError(f"[devices]: terminal {terminal_id} names no printer {devices.printer!r}")
        if devices.scale is not None and devices.scale.protocol != "toledo-8217":
            raise SettingsError(
                f"[devices]: terminal {terminal_id}: unknown scale protocol {devices.scale.protocol!r}"
            )
    return profiles


class Devices:
    def __init__(self, config: DevicesConfig, db: Database, clock: Clock) -> None:
        self.config = config
        self.board = HealthBoard(clock.now)
        self.hub = TerminalHub()
        self.workers = {
            name: PrinterWorker(name, printer.connection, profile, db=db, board=self.board, clock=clock)
            for (name, printer), profile in zip(config.printers.items(), check_devices(config), strict=True)
        }
        self.serial = TerminalSerialDevices(config.terminals, self.board, self.hub)
        self._tasks: list[asyncio.Task[None]] = []
        self.store_name = ""  # for the pole display's welcome; set when the node starts
        self.board.subscribe(lambda name, health: self.hub.publish_threadsafe(self._health_event()))

    # --- life ---------------------------------------------------------------------------------------

    async def start(self, store_name: str = "") -> None:
        self.store_name = store_name
        self.hub.bind(asyncio.get_running_loop())
        self.serial.start()
        for terminal_id in self.serial.displays:
            self.serial.show(terminal_id, lambda: cd5220.welcome_screen(store_name))
        self._tasks = [asyncio.create_task(w.run(), name=f"printer-{n}") for n, w in self.workers.items()]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await asyncio.to_thread(self.serial.stop)

    def health(self) -> dict[str, DeviceHealth]:
        return self.board.snapshot()

    def _health_event(self) -> DeviceEvent:
        return DeviceEvent(type="devices", devices=dict(self.board.snapshot()))

    # --- printing (called inside the caller's transaction) ------------------------------------------

    def printer_of(self, terminal_id: str | None) -> PrinterWorker | None:
        devices = self.config.terminals.get(terminal_id or "")
        if devices is None or devices.printer is None:
            return None
        return self.workers[devices.printer]

    def _queue(
        self,
        tx: Tx,
        terminal_id: str | None,
        kind: str,
        reference: str | None,
        document: Document,
        actor: str | None,
    ) -> int | None:
        worker = self.printer_of(terminal_id)
        if worker is None:
            return None
        job_id = jobs.enqueue(
            tx.conn,
            printer=worker.name,
            terminal_id=terminal_id,
            kind=kind,
            reference=reference,
            document=document,
            at=tx.at,
            requested_by=actor,
        )
        tx.after_commit.append(worker.wake)
        return job_id

    def queue_receipt(
        self, tx: Tx, receipt: Receipt, *, copy: bool = False, actor: str | None = None
    ) -> Receipt:
        """The receipt (or credit note) of the terminal that made it; the drawer opens when cash moved."""
        worker = self.printer_of(receipt.terminal_id)
        if worker is None:
            return receipt
        cash = any(p.method == "cash" and p.amount_cents for p in receipt.payments)
        document = receipt_document(
            receipt,
            tx.timezone,
            worker.profile.columns,
            footer=store_config(tx).receipt_footer,
            copy=copy,
            kick=cash and not copy,
        )
        kind = "receipt_copy" if copy else ("credit_note" if receipt.document == "credit_note" else "receipt")
        self._queue(tx, receipt.terminal_id, kind, receipt.receipt_no, document, actor or receipt.cashier)
        return receipt

    def reprint(self, tx: Tx, receipt: Receipt, terminal_id: str, actor: str) -> int:
        """A COPY of a receipt on `terminal_id`'s printer (where the customer is, not where it was sold)."""
        worker = self.printer_of(terminal_id)
        if worker is None:
            raise Conflict(f"terminal {terminal_id} has no receipt printer")
        document = receipt_document(
            receipt, tx.timezone, worker.profile.columns, footer=store_config(tx).receipt_footer, copy=True
        )
        job_id = self._queue(tx, terminal_id, "receipt_copy", receipt.receipt_no, document, actor)
        assert job_id is not None
        tx.audit("receipt.reprinted", actor, terminal_id, receipt_no=receipt.receipt_no, print_job=job_id)
        return job_id

    def queue_report(self, tx: Tx, report: ShiftReport, terminal_id: str, actor: str | None) -> int | None:
        worker = self.printer_of(terminal_id)
        if worker is None:
            return None
        info = store_info(tx)
        head = Header(info.name, info.address, info.vat_number)
        document = shift_report_document(report, head, tx.timezone, worker.profile.columns, printed_at=tx.now)
        kind = "z_report" if report.kind == "z" else "x_report"
        return self._queue(tx, terminal_id, kind, report.shift_id, document, actor)

    def queue_drawer_kick(self, tx: Tx, terminal_id: str, actor: str | None) -> int | None:
        return self._queue(tx, terminal_id, "drawer", None, no_sale_document(), actor)

    def retry_now(self, printer: str) -> None:
        worker = self.workers.get(printer)
        if worker is not None:
            worker.wake()

    # --- serial devices -----------------------------------------------------------------------------

    def show_sale(self, view: SaleView) -> SaleView:
        """The sale on its terminal's pole display (never waits: the display has its own thread)."""
        self.serial.show(view.terminal_id, lambda: sale_screen(view, self.store_name))
        return view

    async def weigh(self, terminal_id: str) -> ScaleReading:
        return await asyncio.to_thread(self.serial.weigh, terminal_id)

    def show_receipt(self, receipt: Receipt) -> None:
        self.serial.show(
            receipt.terminal_id, lambda: cd5220.change_screen(receipt.paid_cents, receipt.change_cents)
        )
