"""A node holding 300,000 products: import time, start time, barcode and name lookups over HTTP, each
beside the same work done by plain sqlite3 on the same disk in the same run (bench.catalog_raw)."""

import asyncio
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from rich.progress import Progress, TaskID

from aiwebpos_edge.demo.synthetic import synthetic_barcode, write_synthetic_catalog
from bench import catalog_raw
from bench.http11 import Connection
from bench.node import ADMIN_PASSWORD, HOST, Server, edge, init_node
from bench.results import RUNS, BenchResult, Figure, median, ms, percentile
from bench.stack import server_stack

NAME = "edge_catalog"
PRODUCTS = 300_000
LOOKUPS = 1_000  # barcodes resolved per run
SEARCHES = 300  # name searches per run


def python_start_seconds(code: str = "pass") -> float:
    """Wall time of a bare interpreter running `code`: no Python server can start faster."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


async def http_latencies(port: int, paths: list[str], progress: Progress, bar: TaskID) -> list[float]:
    """GET each path in turn on one keep-alive connection (one till looking things up)."""
    conn = await Connection(HOST, port).open()
    login = await conn.call("POST", "/api/v1/auth/login", {"username": "admin", "password": ADMIN_PASSWORD})
    conn.token = login.decode(dict[str, object])["access_token"]  # type: ignore[assignment]
    out = []
    for i, path in enumerate(paths, start=1):
        answer = await conn.call("GET", path)
        if answer.body == b"[]":
            raise RuntimeError(f"GET {path} found nothing")
        out.append(answer.seconds)
        if i % 100 == 0:
            progress.advance(bar, 100)
    await conn.close()
    return out


def imports(folder: Path, csv_path: Path, progress: Progress) -> tuple[list[float], list[float], Path]:
    """RUNS imports by `aiwebpos-edge catalog import` into fresh nodes, each followed by the raw one."""
    node_s, raw_s = [], []
    bar = progress.add_task(f"catalog: import {PRODUCTS:,} products (node, then raw)", total=RUNS * 2)
    for run in range(RUNS):
        data_dir = folder / f"node-{run}"
        init_node(data_dir)
        node_s.append(edge("catalog", "import", "--data-dir", str(data_dir), str(csv_path)))
        progress.advance(bar)
        raw_s.append(catalog_raw.import_seconds(csv_path, folder / f"raw-{run}.db"))
        (folder / f"raw-{run}.db").unlink()
        progress.advance(bar)
        if run > 0:
            shutil.rmtree(data_dir)
    return node_s, raw_s, folder / "node-0"


def run(progress: Progress) -> BenchResult:
    with tempfile.TemporaryDirectory(prefix="aiwebpos-bench-") as tmp:
        folder = Path(tmp)
        csv_path = folder / "catalog.csv"
        step = progress.add_task(f"catalog: write {PRODUCTS:,} synthetic products", total=1)
        write_synthetic_catalog(csv_path, PRODUCTS)
        progress.advance(step)
        import_s, raw_import_s, data_dir = imports(folder, csv_path, progress)
        db = data_dir / "store.db"
        starts = progress.add_task("catalog: start the node 3 times", total=RUNS)
        start_s, bare_s = [], []
        for _ in range(RUNS):
            with Server(data_dir) as server:
                start_s.append(server.start())
            bare_s.append(python_start_seconds())
            progress.advance(starts)
        import_only_s = median([python_start_seconds("import aiwebpos_edge.app") for _ in range(RUNS)])
        rngs = [random.Random(run) for run in range(RUNS)]
        codes = [[synthetic_barcode(i) for i in rng.sample(range(PRODUCTS), LOOKUPS)] for rng in rngs]
        words = [catalog_raw.two_word_queries(db, SEARCHES, seed=run) for run in range(RUNS)]
        bar = progress.add_task("catalog: lookups over HTTP", total=RUNS * (LOOKUPS + SEARCHES))
        with Server(data_dir) as server:
            server.start()
            scans = [
                asyncio.run(
                    http_latencies(server.port, [f"/api/v1/products?barcode={c}" for c in run], progress, bar)
                )
                for run in codes
            ]
            finds = [
                asyncio.run(
                    http_latencies(
                        server.port, [f"/api/v1/products?q={quote(q)}" for q in run], progress, bar
                    )
                )
                for run in words
            ]
        raw_scans = [catalog_raw.barcode_latencies(db, run) for run in codes]
        raw_finds = [catalog_raw.search_latencies(db, run) for run in words]
    return report(import_s, raw_import_s, start_s, bare_s, import_only_s, scans, raw_scans, finds, raw_finds)


def _p(runs: list[list[float]], p: float) -> float:
    """The median over runs of each run's p-th percentile, in ms."""
    return ms(median([percentile(run, p) for run in runs]))


def report(
    import_s: list[float],
    raw_import_s: list[float],
    start_s: list[float],
    bare_s: list[float],
    import_only_s: float,
    scans: list[list[float]],
    raw_scans: list[list[float]],
    finds: list[list[float]],
    raw_finds: list[list[float]],
) -> BenchResult:
    result = BenchResult(NAME)
    result.add(
        Figure(
            f"import {PRODUCTS:,} products",
            median(import_s),
            "s",
            "lower",
            median(raw_import_s),
            "raw sqlite3 insert of the same rows",
        )
    )
    result.add(
        Figure(
            "node start (to /health 200)",
            ms(median(start_s)),
            "ms",
            "lower",
            ms(median(bare_s)),
            "bare `python -c pass`",
        )
    )
    result.add(
        Figure(
            "  of it: python importing the app",
            ms(import_only_s),
            "ms",
            limit=ms(median(bare_s)),
            limit_label="bare `python -c pass`",
        )
    )
    result.add(
        Figure("barcode lookup p50", _p(scans, 50), "ms", "lower", _p(raw_scans, 50), "raw sqlite3 p50")
    )
    result.add(
        Figure("barcode lookup p99", _p(scans, 99), "ms", "lower", _p(raw_scans, 99), "raw sqlite3 p99")
    )
    result.add(Figure("name search p50", _p(finds, 50), "ms", "lower", _p(raw_finds, 50), "raw sqlite3 p50"))
    result.add(Figure("name search p99", _p(finds, 99), "ms", "lower", _p(raw_finds, 99), "raw sqlite3 p99"))
    result.details = {
        "products": PRODUCTS,
        "server_stack": server_stack(),
        "import_s": import_s,
        "raw_import_s": raw_import_s,
        "start_s": start_s,
        "bare_python_start_s": bare_s,
        "python_import_aiwebpos_edge_app_s": import_only_s,
        "lookups_per_run": LOOKUPS,
        "searches_per_run": SEARCHES,
        "barcode_ms": {
            "p50": [ms(percentile(r, 50)) for r in scans],
            "p99": [ms(percentile(r, 99)) for r in scans],
        },
        "raw_barcode_ms": {"p50": [ms(percentile(r, 50)) for r in raw_scans]},
        "search_ms": {
            "p50": [ms(percentile(r, 50)) for r in finds],
            "p99": [ms(percentile(r, 99)) for r in finds],
        },
        "raw_search_ms": {"p50": [ms(percentile(r, 50)) for r in raw_finds]},
    }
    return result
