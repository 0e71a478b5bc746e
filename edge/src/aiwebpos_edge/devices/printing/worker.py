"""One printer's worker: takes its queued jobs in order and prints them, whatever the printer is doing.

A job leaves the queue only once its bytes were handed to the printer. A printer that is off, out of
paper or open keeps its jobs queued (the till shows them and why), the worker retries with a growing
delay (at most `RETRY_CAP_S`) and prints them as soon as the printer is back. A crash between
handing the bytes over and recording it prints that receipt again after the restart: a duplicate
slip is better than a missing one, and the sale itself is never affected.
"""

import asyncio
import contextlib
import logging

from escpos.exceptions import Error as EscposError

from aiwebpos_edge.clock import Clock, iso
from aiwebpos_edge.db.database import Database
from aiwebpos_edge.devices.health import HealthBoard
from aiwebpos_edge.devices.printing import jobs
from aiwebpos_edge.devices.printing.escpos_output import render
from aiwebpos_edge.devices.printing.profiles import PrinterProfile
from aiwebpos_edge.devices.printing.status import (
    OK,
    QUERY_OFFLINE_CAUSE,
    QUERY_PAPER,
    Condition,
    condition,
)
from aiwebpos_edge.devices.printing.transport import Transport, open_transport
from aiwebpos_edge.sync.backoff import backoff_delay

log = logging.getLogger("aiwebpos_edge.devices")

RETRY_CAP_S = 10.0
IDLE_PROBE_S = 15.0  # how often an idle printer is checked, so the till learns it is off before a sale


class PrinterFault(Exception):
    """The printer is there but cannot print now (paper, cover, error)."""

    def __init__(self, cond: Condition) -> None:
        super().__init__(cond.detail)
        self.condition = cond


PRINTER_ERRORS = (OSError, EscposError, PrinterFault)


class PrinterWorker:
    def __init__(
        self,
        name: str,
        connection: str,
        profile: PrinterProfile,
        *,
        db: Database,
        board: HealthBoard,
        clock: Clock,
    ) -> None:
        self.name = name
        self.health_name = f"printer-{name}"
        self.connection = connection
        self.profile = profile
        self.db = db
        self.board = board
        self.clock = clock
        self._wake = asyncio.Event()
        self._transport: Transport | None = None
        self._failures = 0

    def wake(self) -> None:
        """A job was queued or a person asked to retry now: stop waiting."""
        self._failures = 0
        self._wake.set()

    async def run(self) -> None:
        try:
            while True:
                try:
                    await self._step()
                except Exception as exc:  # a bug here must not stop this printer for good
                    log.exception("printer %s: unexpected error", self.name)
                    await self._close()
                    await self._report(Condition("error", f"internal error: {exc}"[:200]))
                    await self._sleep(RETRY_CAP_S)
        finally:
            await self._close()

    async def _step(self) -> None:
        found = await self.db.read(lambda conn: jobs.next_job(conn, self.name))
        if found is None:
            await self._probe_idle()
            await self._sleep(IDLE_PROBE_S)
            return
        job, document = found
        try:
            transport = await self._connect()
            await self._check(transport)
            data = render(document, self.profile)
            await asyncio.to_thread(transport.send, data)
        except PRINTER_ERRORS as exc:
            await self._close()
            cond = exc.condition if isinstance(exc, PrinterFault) else _offline(exc)
            await self.db.write(lambda conn: jobs.record_failure(conn, job.id, cond.detail or cond.state))
            await self._report(cond)
            self._failures += 1
            await self._sleep(backoff_delay(self._failures, base=0.5, cap=RETRY_CAP_S) + 0.2)
            return
        self._failures = 0
        at = iso(self.clock.now())
        await self.db.write(lambda conn: jobs.mark_printed(conn, job.id, at))
        log.info("printer %s printed job %s (%s %s)", self.name, job.id, job.kind, job.reference or "")
        await self._report(self._last_ok)

    _last_ok: Condition = OK

    async def _connect(self) -> Transport:
        if self._transport is None:
            self._transport = await asyncio.to_thread(open_transport, self.connection, self.profile)
        return self._transport

    async def _check(self, transport: Transport) -> None:
        if not (transport.reads_back and self.profile.status_queries):
            self._last_ok = OK
            return
        cause = await asyncio.to_thread(transport.query, QUERY_OFFLINE_CAUSE)
        paper = await asyncio.to_thread(transport.query, QUERY_PAPER) if cause is not None else None
        cond = condition(cause, paper)
        if not cond.can_print:
            raise PrinterFault(cond)
        self._last_ok = cond

    async def _probe_idle(self) -> None:
        try:
            transport = await self._connect()
            await self._check(transport)
        except PRINTER_ERRORS as exc:
            await self._close()
            await self._report(exc.condition if isinstance(exc, PrinterFault) else _offline(exc))
            return
        await self._close()  # an idle printer is not held open: other tools (a test page) may use it
        await self._report(self._last_ok)

    async def _report(self, cond: Condition) -> None:
        waiting = await self.db.read(lambda conn: jobs.waiting_count(conn, self.name))
        self.board.report(
            self.health_name,
            kind="printer",
            connected=cond.state != "offline",
            state=cond.state,
            detail=cond.detail,
            queued_jobs=waiting,
        )

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)
        self._wake.clear()

    async def _close(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            with contextlib.suppress(*PRINTER_ERRORS):
                await asyncio.to_thread(transport.close)


def _offline(exc: BaseException) -> Condition:
    return Condition("offline", f"cannot reach the printer: {exc}".splitlines()[0][:200])
