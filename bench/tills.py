"""Simulated tills: each sells whole cash sales back to back over its own keep-alive connection."""

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec
from rich.progress import Progress, TaskID

from bench.http11 import Answer, Connection
from bench.node import HOST, cpu_seconds, machine_busy_seconds
from bench.results import ms, percentile

KINDS = ("open", "scan", "pay", "complete")
SCANS = 5


class _Opened(msgspec.Struct):
    id: str


class _Due(msgspec.Struct):
    cash_due_cents: int


@dataclass
class Recorder:
    """What the tills did while `recording` was on: latencies by kind of request, and whole sales."""

    recording: bool = False
    sales: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def reset(self) -> None:
        self.sales = 0
        self.latencies = {k: [] for k in KINDS}

    def note(self, kind: str, answer: Answer) -> None:
        if self.recording:
            self.latencies[kind].append(answer.seconds)


@dataclass
class Till:
    terminal_id: str
    shift_id: str
    connection: Connection
    barcodes: list[str]
    rng: random.Random

    async def sell(self, recorder: Recorder) -> None:
        """One whole sale: open, scan, pay the cash due, complete."""
        conn, note = self.connection, recorder.note
        answer = await conn.call(
            "POST", "/api/v1/sales", {"terminal_id": self.terminal_id, "shift_id": self.shift_id}, expect=201
        )
        note("open", answer)
        sale = f"/api/v1/sales/{answer.decode(_Opened).id}"
        for _ in range(SCANS):
            answer = await conn.call("POST", f"{sale}/lines", {"barcode": self.rng.choice(self.barcodes)})
            note("scan", answer)
        due = answer.decode(_Due).cash_due_cents
        note("pay", await conn.call("POST", f"{sale}/payments", {"method": "cash", "amount_cents": due}))
        note("complete", await conn.call("POST", f"{sale}/complete", {}))
        if recorder.recording:
            recorder.sales += 1

    async def sell_until(self, stop: asyncio.Event, recorder: Recorder) -> None:
        while not stop.is_set():
            await self.sell(recorder)


@dataclass
class Window:
    """One measured window: what the tills recorded, how long it lasted, who used the CPU meanwhile."""

    seconds: float
    sales: int
    latencies: dict[str, list[float]]
    generator_cpu: float
    server_cpu: float
    machine_busy: float

    def summary(self) -> dict[str, Any]:
        every = [x for kind in KINDS for x in self.latencies[kind]]
        out: dict[str, Any] = {
            "sales_per_s": self.sales / self.seconds,
            "requests": len(every),
            "p50_ms": ms(percentile(every, 50)),
            "p99_ms": ms(percentile(every, 99)),
            "generator_cpu_ms_per_sale": ms(self.generator_cpu / max(1, self.sales)),
            "server_cpu_ms_per_sale": ms(self.server_cpu / max(1, self.sales)),
            "server_cores": self.server_cpu / self.seconds,
            "generator_cores": self.generator_cpu / self.seconds,
            "other_cores": (self.machine_busy - self.server_cpu - self.generator_cpu) / self.seconds,
        }
        for kind in KINDS:
            out[f"{kind}_p50_ms"] = ms(percentile(self.latencies[kind], 50))
            out[f"{kind}_p99_ms"] = ms(percentile(self.latencies[kind], 99))
        return out


async def _watch(seconds: float, tasks: list["asyncio.Task[None]"], progress: Progress, task: TaskID) -> None:
    """Wait `seconds` while the tills sell; stop at once if a till failed (a 4xx or 5xx is a bug here)."""
    began = time.perf_counter()
    while (elapsed := time.perf_counter() - began) < seconds:
        progress.update(task, completed=elapsed)
        done = [t for t in tasks if t.done()]
        if done:
            done[0].result()
            raise RuntimeError("a till stopped selling")
        await asyncio.sleep(min(0.25, seconds - elapsed))
    progress.update(task, completed=seconds)


@dataclass(frozen=True)
class Schedule:
    warmup_s: float
    window_s: float
    runs: int


async def drive(
    port: int,
    server_pid: int,
    logins: list[tuple[str, str, str]],
    barcodes: list[str],
    schedule: Schedule,
    progress: Progress,
    label: str = "checkout",
) -> list[Window]:
    """One till per login sells non-stop; after the warm-up, `runs` windows are measured back to back."""
    tills = []
    for i, (terminal, shift_id, token) in enumerate(logins):
        conn = await Connection(HOST, port).open()
        conn.token = token
        tills.append(Till(terminal, shift_id, conn, barcodes, random.Random(i)))
    recorder, stop = Recorder(), asyncio.Event()
    tasks = [asyncio.create_task(till.sell_until(stop, recorder)) for till in tills]
    windows = []
    try:
        warmup = progress.add_task(f"{label}: warm-up", total=schedule.warmup_s)
        await _watch(schedule.warmup_s, tasks, progress, warmup)
        for run in range(1, schedule.runs + 1):
            bar = progress.add_task(f"{label}: window {run}/{schedule.runs}", total=schedule.window_s)
            recorder.reset()
            cpu0, srv0, busy0 = time.process_time(), cpu_seconds(server_pid), machine_busy_seconds()
            began, recorder.recording = time.perf_counter(), True
            await _watch(schedule.window_s, tasks, progress, bar)
            recorder.recording, elapsed = False, time.perf_counter() - began
            windows.append(
                Window(
                    seconds=elapsed,
                    sales=recorder.sales,
                    latencies=recorder.latencies,
                    generator_cpu=time.process_time() - cpu0,
                    server_cpu=cpu_seconds(server_pid) - srv0,
                    machine_busy=machine_busy_seconds() - busy0,
                )
            )
    finally:
        stop.set()  # each till finishes the sale it is in, then stops
        _, late = await asyncio.wait(tasks, timeout=10)
        for task in late:
            task.cancel()
        for task in tasks:
            if task.done() and not task.cancelled():
                task.exception()  # seen: a failure was raised by _watch already, or came while stopping
        for till in tills:
            await till.connection.close()
    return windows
