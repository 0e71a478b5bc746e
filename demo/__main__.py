"""`make demo`: one broker, two store nodes with simulated tills selling, and the cloud ingest filling a
lakehouse — all on this machine, on free ports. Prints the URLs and logins; Ctrl-C stops everything."""

import argparse
import asyncio
import contextlib
import shutil
import signal
from pathlib import Path

from rich.console import Console
from rich.table import Table

from aiwebpos_edge.demo.seed import seed_demo_store
from aiwebpos_edge.demo.tills import SimulatedTill
from aiwebpos_edge.settings import load_settings
from demo.processes import Child, wait_healthy
from devkit.mosquitto import MosquittoBroker, free_port

STORES = {"MSU-01": "Maseru Sunrise Grocers", "TY-02": "Teyateyaneng Corner Store"}
BROKER_USERS = {
    "MSU-01": "demo-msu01",
    "TY-02": "demo-ty02",
    "aiwebpos-ingest": "demo-ingest",
    "aiwebpos-hq": "demo-hq",
}
CASHIER_PINS = ["1234", "5678"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path("var/demo"))
    parser.add_argument("--pace", type=float, default=2.0, help="mean seconds between sales at each till")
    args = parser.parse_args()
    asyncio.run(run(args.dir.resolve(), args.pace))


async def run(root: Path, pace: float) -> None:
    console = Console()
    shutil.rmtree(root, ignore_errors=True)  # every demo starts from the same fresh chain
    (root / "logs").mkdir(parents=True)
    children: list[Child] = []
    broker = MosquittoBroker(root / "broker", BROKER_USERS)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        with console.status("starting the broker, two store nodes and the ingest…"):
            broker.start()
            lakehouse = root / "lakehouse"
            children.append(
                Child(
                    "ingest",
                    ["aiwebpos-cloud", "ingest", "--lakehouse", str(lakehouse)],
                    root / "logs",
                    {"AIWEBPOS_MQTT_URL": broker.url("aiwebpos-ingest")},
                )
            )
            nodes = {}
            for store_id in STORES:
                settings = load_settings(root / store_id)
                logins = seed_demo_store(settings, store_id)
                port = free_port()
                node = Child(
                    store_id,
                    ["aiwebpos-edge", "serve", "--data-dir", str(root / store_id), "--port", str(port)],
                    root / "logs",
                    {"AIWEBPOS_MQTT_URL": broker.url(store_id)},
                )
                children.append(node)
                nodes[store_id] = (f"http://127.0.0.1:{port}", node)
            for url, node in nodes.values():
                await asyncio.to_thread(wait_healthy, url, node)
        tills = [
            SimulatedTill(url, f"T{i + 1}", pin, seed=hash((store_id, i)), pace_s=pace)
            for store_id, (url, _) in nodes.items()
            for i, pin in enumerate(CASHIER_PINS)
        ]
        _banner(console, root, broker, nodes, logins)
        async with asyncio.TaskGroup() as group:
            for till in tills:
                group.create_task(till.run(stop))
            group.create_task(_report(console, tills, children, stop))
    finally:
        console.print("stopping…")
        for child in reversed(children):
            child.stop()
        broker.stop()
        console.print(f"stopped. Everything the demo made is in {root}")


async def _report(
    console: Console, tills: list[SimulatedTill], children: list[Child], stop: asyncio.Event
) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 30)
        dead = [c.name for c in children if not c.alive()]
        console.print(f"  {sum(t.sold for t in tills)} sales so far" + (f"; STOPPED: {dead}" if dead else ""))


def _banner(
    console: Console,
    root: Path,
    broker: MosquittoBroker,
    nodes: dict[str, tuple[str, Child]],
    logins: list[object],
) -> None:
    console.print(f"\n[bold]AIWebPOS demo[/] — everything lives in {root}; logs in {root / 'logs'}")
    for store_id, (url, _) in nodes.items():
        console.print(
            f"  store {store_id} ({STORES[store_id]}):  POS API {url}/api/v1   OpenAPI {url}/schema/openapi.json"
        )
    console.print(f"  broker      mqtt://127.0.0.1:{broker.port} (users and passwords in {root / 'broker'})")
    console.print(f"  lakehouse   {root / 'lakehouse'} — try:")
    console.print(
        f"    .venv/bin/aiwebpos-cloud sql --lakehouse {root / 'lakehouse'} "
        '"SELECT store_id, count(*) AS sales, sum(total_cents)/100 AS maloti FROM sales GROUP BY 1"'
    )
    table = Table("role", "username", "password", "till PIN", title="logins (the same at every store)")
    for login in logins:
        table.add_row(login.role, login.username, login.password, login.pin or "—")  # type: ignore[attr-defined]
    console.print(table)
    console.print("  Two simulated tills sell at each store. Ctrl-C stops everything.\n")


if __name__ == "__main__":
    main()
