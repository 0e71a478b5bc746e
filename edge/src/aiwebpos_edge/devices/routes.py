"""HTTP of the peripherals: health, the print queue, reprints, the scale, and the till's device events."""

import asyncio
from collections.abc import AsyncIterator

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import ServerSentEvent, ServerSentEventMessage
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from aiwebpos_contracts.status import DeviceHealth
from aiwebpos_edge.devices.hub import DeviceEvent
from aiwebpos_edge.devices.printing import jobs
from aiwebpos_edge.devices.serial.toledo8217 import ScaleReading
from aiwebpos_edge.errors import Conflict, NotFound
from aiwebpos_edge.node import ActorRequest, NodeDep
from aiwebpos_edge.sales.checkout import receipt_by_number
from aiwebpos_edge.shifts.service import current_report
from aiwebpos_edge.tx import Tx

KEEPALIVE_S = 15.0  # a comment line this often keeps proxies and the till's reader from timing out
READ = {"permission": "devices.read"}
PRINT = {"permission": "devices.print"}


class TerminalDevicesView(msgspec.Struct, kw_only=True):
    printer: str | None
    scanner: bool
    scale: bool
    display: bool


class DevicesView(msgspec.Struct, kw_only=True):
    devices: dict[str, DeviceHealth]
    terminals: dict[str, TerminalDevicesView]


class PrintAt(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    terminal_id: str  # the till whose printer prints it


class DeviceController(Controller):
    path = "/api/v1/devices"

    @get("/", opt=READ)
    async def show(self, node: NodeDep) -> DevicesView:
        config = node.devices.config
        terminals = {
            t: TerminalDevicesView(
                printer=d.printer,
                scanner=d.scanner is not None,
                scale=d.scale is not None,
                display=d.display is not None,
            )
            for t, d in config.terminals.items()
        }
        return DevicesView(devices=node.devices.health(), terminals=terminals)

    @get("/scale", opt=READ)
    async def weigh(self, node: NodeDep, terminal_id: FromQuery[str]) -> ScaleReading:
        """What the terminal's scale reads now (state "offline" when it has none or it is unplugged)."""
        return await node.devices.weigh(terminal_id)

    @get("/events", opt=READ)
    async def events(self, node: NodeDep, terminal_id: FromQuery[str]) -> ServerSentEvent:
        """Server-sent events for one till: `scan` (a serial scanner's code) and `devices` (health)."""
        hub, health = node.devices.hub, node.devices.health

        async def stream() -> AsyncIterator[ServerSentEventMessage]:
            async with hub.subscribe(terminal_id) as queue:
                first = DeviceEvent(type="devices", devices=dict(health()))
                yield ServerSentEventMessage(event=first.type, data=msgspec.json.encode(first).decode())
                while True:
                    try:
                        event = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                    except TimeoutError:
                        yield ServerSentEventMessage(comment="keepalive", data=None)
                        continue
                    yield ServerSentEventMessage(event=event.type, data=msgspec.json.encode(event).decode())

        return ServerSentEvent(stream())


class PrintJobController(Controller):
    path = "/api/v1/print-jobs"

    @get("/", opt=READ)
    async def list_jobs(
        self,
        node: NodeDep,
        terminal_id: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
    ) -> list[jobs.PrintJob]:
        """Newest first: `?status=queued` is what is waiting, with the reason in `last_error`."""
        return await node.read(
            lambda conn: jobs.list_jobs(
                conn, terminal_id=terminal_id, status=status, limit=max(1, min(limit, 500))
            )
        )

    @post("/{job_id:int}/retry", opt=PRINT, status_code=HTTP_200_OK)
    async def retry(self, node: NodeDep, job_id: FromPath[int]) -> jobs.PrintJob:
        """Try the printer again now instead of at its next retry (after loading paper, say)."""
        job = await node.read(lambda conn: jobs.get_job(conn, job_id))
        if job is None:
            raise NotFound(f"no print job {job_id}")
        node.devices.retry_now(job.printer)
        return job

    @post("/{job_id:int}/cancel", opt={"permission": "devices.manage"}, status_code=HTTP_200_OK)
    async def cancel(self, request: ActorRequest, node: NodeDep, job_id: FromPath[int]) -> jobs.PrintJob:
        def op(tx: Tx) -> jobs.PrintJob:
            job = jobs.get_job(tx.conn, job_id)
            if job is None:
                raise NotFound(f"no print job {job_id}")
            if not jobs.cancel(tx.conn, job_id):
                raise Conflict(f"print job {job_id} is {job.status}: only a queued job can be cancelled")
            tx.audit("print_job.cancelled", request.user.username, job.terminal_id, job=job_id, kind=job.kind)
            cancelled = jobs.get_job(tx.conn, job_id)
            assert cancelled is not None
            return cancelled

        return await node.write(op)


class PrintController(Controller):
    """Printing documents again on demand: a receipt COPY, a shift's X or Z report."""

    path = "/api/v1"

    @post("/receipts/{receipt_no:str}/print", opt=PRINT, status_code=HTTP_201_CREATED)
    async def reprint(
        self, request: ActorRequest, node: NodeDep, receipt_no: FromPath[str], data: JSONBody[PrintAt]
    ) -> jobs.PrintJob:
        def op(tx: Tx) -> jobs.PrintJob:
            receipt = receipt_by_number(tx, receipt_no)
            job_id = node.devices.reprint(tx, receipt, data.terminal_id, request.user.username)
            job = jobs.get_job(tx.conn, job_id)
            assert job is not None
            return job

        return await node.write(op)

    @post("/shifts/{shift_id:str}/print", opt=PRINT, status_code=HTTP_201_CREATED)
    async def print_report(
        self, request: ActorRequest, node: NodeDep, shift_id: FromPath[str], data: JSONBody[PrintAt]
    ) -> jobs.PrintJob:
        def op(tx: Tx) -> jobs.PrintJob:
            report = current_report(tx, shift_id)
            job_id = node.devices.queue_report(tx, report, data.terminal_id, request.user.username)
            if job_id is None:
                raise Conflict(f"terminal {data.terminal_id} has no receipt printer")
            job = jobs.get_job(tx.conn, job_id)
            assert job is not None
            return job

        return await node.write(op)
