"""8 tills selling whole sales over HTTP to a real `aiwebpos-edge serve`, beside the raw SQLite limit.

A whole sale is open, 5 scans, a cash payment of the cash due, complete: 8 requests. The tills run in
this process on one asyncio loop (bench.http11: raw keep-alive HTTP/1.1, the cheapest generator), so
the server gets as much of the 2 cores as a load generator can leave it; what the generator itself
costs is measured (CPU per sale) and reported. After a warm-up, RUNS windows are measured back to back.
The limit is measured in the same run by bench.raw_sales on the same disk.

Beside them, the same tills drive apps that do no work at all (bench.empty_node) on the same server
stack: a Litestar app with the same routes, and a bare ASGI app. They are the ceiling the HTTP stack
itself puts on any node built on it, measured in the same run.
"""

import asyncio
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx
from rich.progress import Progress

from bench import raw_sales
from bench.fraud_bundle import install_fraud_model
from bench.node import Server, admin_client, edge, expect, init_node, write_demo_csv
from bench.results import RUNS, BenchResult, Figure, median
from bench.stack import server_stack
from bench.tills import KINDS, Schedule, drive

NAME = "edge_checkout"
TILLS = 8
WARMUP_S = 3.0
WINDOW_S = 8.0
RAW_S = 2.0
CEILING_WINDOW_S = 4.0
CEILINGS = {
    "litestar": "Litestar app doing nothing, same routes",
    "asgi": "bare ASGI app, no framework",
}
TERMINALS = [f"T{i}" for i in range(1, TILLS + 1)]
GOAL_RATIO, GOAL_P99_MS = 0.5, 20.0
SALES = "completed sales/s"  # the figure the goal is about, and the ceilings are set beside
NOISY_CORES = 0.2  # CPU used by anything but the server and the tills that makes a run suspect


def open_tills(url: str) -> list[tuple[str, str, str]]:
    """8 cashiers made by the admin, each logged in by PIN on its terminal with its shift open."""
    logins = []
    with admin_client(url) as admin, httpx.Client(base_url=url, timeout=30) as client:
        for i, terminal in enumerate(TERMINALS, start=1):
            pin = f"{4100 + i}"
            body = {"username": f"till{i}", "password": f"till{i}-password", "roles": ["cashier"], "pin": pin}
            expect(admin.post("/api/v1/users", json=body), 201)
            token = expect(client.post("/api/v1/auth/pin", json={"terminal_id": terminal, "pin": pin}), 200)
            headers = {"Authorization": f"Bearer {token['access_token']}"}
            shift = client.post(
                "/api/v1/shifts",
                json={"terminal_id": terminal, "opening_float_cents": 50000},
                headers=headers,
            )
            logins.append((terminal, expect(shift, 201)["id"], token["access_token"]))
    return logins


def node_payloads(db: Path) -> dict[str, float]:
    """How big the node's receipt and sale event really are, and what else it writes per sale."""
    conn = sqlite3.connect(db)
    try:

        def one(sql: str) -> float:
            return float(conn.execute(sql).fetchone()[0] or 0)

        sales = one("SELECT COUNT(*) FROM sales WHERE status = 'completed'")
        return {
            "completed_sales": sales,
            "receipt_bytes": one("SELECT AVG(LENGTH(receipt)) FROM sales WHERE status = 'completed'"),
            "envelope_bytes": one("SELECT AVG(LENGTH(envelope)) FROM outbox WHERE type = 'sale.completed'"),
            "outbox_rows_per_sale": one("SELECT COUNT(*) FROM outbox") / max(1, sales),
            "audit_rows_per_sale": one("SELECT COUNT(*) FROM audit_log") / max(1, sales),
            "scored_share": one("SELECT COUNT(*) FROM fraud_scores WHERE kind = 'sale' AND status = 'scored'")
            / max(1, sales),
        }
    finally:
        conn.close()


def raw_limit(
    folder: Path, payload: raw_sales.Payload, progress: Progress
) -> dict[str, list[dict[str, float]]]:
    """RUNS runs of 1 writer thread and of 8 (one per terminal), alternated, each on its own database."""
    runs: dict[str, list[dict[str, float]]] = {"1 thread": [], "8 threads": []}
    bar = progress.add_task("raw sqlite3 limit", total=RUNS * 2 * RAW_S)
    for threads in (1, TILLS):
        raw_sales.prepare(folder / f"raw-{threads}.db", TERMINALS)
    for _ in range(RUNS):
        for label, threads in (("1 thread", 1), ("8 threads", TILLS)):
            run = raw_sales.sell(folder / f"raw-{threads}.db", TERMINALS, threads, RAW_S, payload)
            runs[label].append(run)
            progress.advance(bar, RAW_S)
    return runs


def sell(folder: Path, progress: Progress, *, scoring: bool) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """RUNS windows of 8 tills on a fresh node (with the fraud model loaded when `scoring`)."""
    data_dir = folder / ("node-scoring" if scoring else "node")
    what = "with fraud scoring" if scoring else "no model"
    setup = progress.add_task(f"checkout ({what}): init node, import demo catalog, open 8 tills", total=None)
    init_node(data_dir)
    if scoring:
        install_fraud_model(data_dir)
    barcodes = write_demo_csv(folder / "demo.csv")
    edge("catalog", "import", "--data-dir", str(data_dir), str(folder / "demo.csv"))
    with Server(data_dir) as server:
        server.start()
        logins = open_tills(server.url)
        progress.update(setup, total=1, completed=1)
        schedule = Schedule(WARMUP_S, WINDOW_S, RUNS)
        windows = asyncio.run(drive(server.port, server.pid, logins, barcodes, schedule, progress))
    return [w.summary() for w in windows], node_payloads(data_dir / "store.db")


class CeilingServer(Server):
    """An app of bench.empty_node where the node would be: what the HTTP stack alone allows."""

    def __init__(self, data_dir: Path, kind: str) -> None:
        super().__init__(data_dir)
        self.kind = kind

    def command(self) -> list[str]:
        return [sys.executable, "-m", "bench.empty_node", self.kind, str(self.port)]


def ceiling(folder: Path, kind: str, progress: Progress) -> list[dict[str, Any]]:
    """RUNS windows of the same 8 tills against an app that does nothing (it ignores tokens and ids)."""
    where = folder / f"ceiling-{kind}"
    where.mkdir()
    logins = [(terminal, "no-shift", "no-token") for terminal in TERMINALS]
    with CeilingServer(where, kind) as server:
        server.start()
        schedule = Schedule(WARMUP_S, CEILING_WINDOW_S, RUNS)
        windows = asyncio.run(drive(server.port, server.pid, logins, ["0"], schedule, progress, kind))
    return [w.summary() for w in windows]


def run(progress: Progress) -> BenchResult:
    with tempfile.TemporaryDirectory(prefix="aiwebpos-bench-") as tmp:
        folder = Path(tmp)
        windows, sizes = sell(folder, progress, scoring=False)
        scored_windows, scored_sizes = sell(folder, progress, scoring=True)
        payload = raw_sales.Payload.sized(int(sizes["receipt_bytes"]), int(sizes["envelope_bytes"]))
        raw = raw_limit(folder, payload, progress)
        ceilings = {kind: ceiling(folder, kind, progress) for kind in CEILINGS}
    result = report(windows, raw, sizes)
    add_ceilings(result, windows, ceilings)
    add_scoring(result, windows, scored_windows, scored_sizes)
    return result


def add_ceilings(
    result: BenchResult, windows: list[dict[str, Any]], ceilings: dict[str, list[dict[str, Any]]]
) -> None:
    """What the HTTP stack alone allows, beside the raw limit; and the node beside the empty Litestar."""
    raw = next(f for f in result.figures if f.name == SALES)
    node = median([w["sales_per_s"] for w in windows])
    mids = {kind: {k: median([w[k] for w in runs]) for k in runs[0]} for kind, runs in ceilings.items()}
    for kind, what in CEILINGS.items():
        result.add(
            Figure(
                f"ceiling: {what}",
                mids[kind]["sales_per_s"],
                "sales/s",
                better="higher",
                limit=raw.limit,
                limit_label=raw.limit_label,
            )
        )
        result.add(Figure("  — its server CPU per sale", mids[kind]["server_cpu_ms_per_sale"], "ms"))
    result.add(
        Figure(
            "completed sales/s beside the empty Litestar",
            node,
            "sales/s",
            better="higher",
            limit=mids["litestar"]["sales_per_s"],
            limit_label="Litestar app doing nothing",
        )
    )
    if raw.limit:
        # The server's Python runs on one core at a time (one GIL): the goal's sales/s leave this much
        # CPU per sale for everything, the framework included.
        result.add(Figure("CPU per sale the goal leaves on one core", 1000 / (GOAL_RATIO * raw.limit), "ms"))
    result.details["ceilings"] = {"windows": ceilings, "medians": mids, "window_s": CEILING_WINDOW_S}


def add_scoring(
    result: BenchResult,
    windows: list[dict[str, Any]],
    scored: list[dict[str, Any]],
    sizes: dict[str, float],
) -> None:
    """The same load with the fraud model scoring every sale: the cashier must not notice."""
    plain = {key: median([w[key] for w in windows]) for key in ("sales_per_s", "p99_ms", "complete_p99_ms")}
    mid = {key: median([w[key] for w in scored]) for key in ("sales_per_s", "p99_ms", "complete_p99_ms")}
    result.add(
        Figure(
            "with scoring: completed sales/s",
            mid["sales_per_s"],
            "sales/s",
            better="higher",
            limit=plain["sales_per_s"],
            limit_label="the same node without a model",
        )
    )
    met = mid["p99_ms"] < GOAL_P99_MS
    result.add(
        Figure(
            "with scoring: request p99 (all kinds)",
            mid["p99_ms"],
            "ms",
            limit=plain["p99_ms"],
            limit_label="the same node without a model",
            goal=f"< {GOAL_P99_MS:g} ms",
            met=met,
        )
    )
    result.add(
        Figure(
            "with scoring: complete p99",
            mid["complete_p99_ms"],
            "ms",
            limit=plain["complete_p99_ms"],
            limit_label="the same node without a model",
        )
    )
    result.add(
        Figure("with scoring: share of sales scored", sizes["scored_share"], "", better="higher", limit=1.0)
    )
    result.details["with_scoring"] = {"windows": scored, "medians": mid, "node_payloads": sizes}


def report(
    windows: list[dict[str, Any]], raw: dict[str, list[dict[str, float]]], sizes: dict[str, float]
) -> BenchResult:
    result = BenchResult(NAME)
    mid = {key: median([w[key] for w in windows]) for key in windows[0]}
    raw_mid = {label: median([r["sales_per_s"] for r in runs]) for label, runs in raw.items()}
    best = max(raw_mid, key=lambda label: raw_mid[label])
    one_sale_ms = median([r["seconds_per_sale"] for r in raw["1 thread"]]) * 1000
    raw_cpu_ms = median([r["cpu_ms_per_sale"] for r in raw["1 thread"]])
    sales = result.add(
        Figure(
            SALES,
            mid["sales_per_s"],
            "sales/s",
            better="higher",
            limit=raw_mid[best],
            limit_label=f"raw sqlite3, {best}",
            goal=f"≥ {GOAL_RATIO:.0%} of raw",
        )
    )
    sales.met = (sales.ratio or 0) >= GOAL_RATIO
    result.add(Figure("request p50 (all kinds)", mid["p50_ms"], "ms"))
    p99_met = mid["p99_ms"] < GOAL_P99_MS
    result.add(
        Figure("request p99 (all kinds)", mid["p99_ms"], "ms", goal=f"< {GOAL_P99_MS:g} ms", met=p99_met)
    )
    for kind in KINDS:
        limit, label = (one_sale_ms, "a whole raw sale, 1 thread") if kind == "complete" else (None, "")
        result.add(Figure(f"{kind} p50", mid[f"{kind}_p50_ms"], "ms", limit=limit, limit_label=label))
        result.add(Figure(f"{kind} p99", mid[f"{kind}_p99_ms"], "ms"))
    result.add(
        Figure(
            "server CPU per sale",
            mid["server_cpu_ms_per_sale"],
            "ms",
            limit=raw_cpu_ms,
            limit_label="raw sqlite3 CPU per sale",
        )
    )
    result.add(
        Figure(
            "server cores busy",
            mid["server_cores"],
            "cores",
            better="higher",
            limit=2.0,
            limit_label="the machine's cores",
        )
    )
    result.add(Figure("load generator CPU per sale", mid["generator_cpu_ms_per_sale"], "ms"))
    result.add(Figure("load generator cores busy", mid["generator_cores"], "cores"))
    result.add(Figure("rest of machine busy (others, kernel)", mid["other_cores"], "cores"))
    if mid["other_cores"] > NOISY_CORES:
        result.warnings.append(
            f"other processes kept {mid['other_cores']:.2f} of the 2 cores busy while tills sold:"
            " the figures are lower than on a quiet machine; run again when it is idle"
        )
    result.details = {
        "server_stack": server_stack(),
        "tills": TILLS,
        "warmup_s": WARMUP_S,
        "window_s": WINDOW_S,
        "windows": windows,
        "medians": mid,
        "raw": {"runs": raw, "medians_sales_per_s": raw_mid, "faster": best, "seconds_per_run": RAW_S},
        "node_payloads": sizes,
        "goal_met": bool(sales.met) and p99_met,
    }
    return result
