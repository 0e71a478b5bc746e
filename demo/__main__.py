"""`make demo`: one broker, two store nodes with simulated tills selling, the cloud ingest filling a
lakehouse, an MLflow server and a Prefect server where a year of the chain's history trains every model
— all on this machine, on free ports. Prints the URLs and logins; Ctrl-C stops everything."""

import argparse
import asyncio
import contextlib
import csv
import shutil
import signal
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from aiwebpos_cloud.releases.signing import generate_key_pair
from aiwebpos_edge.barcodes import make_gtin
from aiwebpos_edge.demo.catalog import DEMO_PRODUCTS
from aiwebpos_edge.demo.seed import Login, seed_demo_store
from aiwebpos_edge.demo.tills import SimulatedTill
from aiwebpos_edge.settings import load_settings
from devkit.chain import HqServer, Ingest, Process, StoreNode, reconcile
from devkit.mlops import MlflowServer, PrefectServer, ReleaseServer, prefect_env
from devkit.mosquitto import MosquittoBroker
from devkit.printer_sim import NetworkPrinterSimulator

STORES = {"MSU-01": "Maseru Sunrise Grocers", "TY-02": "Teyateyaneng Corner Store"}
BROKER_USERS = {
    "MSU-01": "demo-msu01",
    "TY-02": "demo-ty02",
    "aiwebpos-ingest": "demo-ingest",
    "aiwebpos-hq": "demo-hq",
}
CASHIER_PINS = ["1234", "5678"]
HQ_ADMIN_PASSWORD = "hq-admin-demo"  # noqa: S105 - printed in the banner: a demo login
PRINTER_PROFILES = Path(__file__).resolve().parents[1] / "firmware_config" / "printers"


def main() -> None:
    parser = argparse.ArgumentParser(prog="make demo", description=__doc__)
    parser.add_argument("--dir", type=Path, default=Path("var/demo"))
    parser.add_argument("--pace", type=float, default=2.0, help="mean seconds between sales at each till")
    parser.add_argument("--history-days", type=int, default=365, help="days of history the models learn from")
    parser.add_argument("--history-skus", type=int, default=150, help="SKUs in the history's catalog")
    parser.add_argument(
        "--history-stores", type=int, default=3, help="stores in the history (MPT-03 onwards)"
    )
    args = parser.parse_args()
    asyncio.run(
        run(args.dir.resolve(), args.pace, (args.history_days, args.history_skus, args.history_stores))
    )


async def run(root: Path, pace: float, history: tuple[int, int, int]) -> None:
    console = Console()
    shutil.rmtree(root, ignore_errors=True)  # every demo starts from the same fresh chain
    (root / "logs").mkdir(parents=True)
    broker = MosquittoBroker(root / "broker", BROKER_USERS)
    children: list[Process] = []
    nodes: dict[str, StoreNode] = {}
    printers: dict[str, NetworkPrinterSimulator] = {}
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    # The key that signs model releases; the stores trust its public half (their node settings).
    key_file, public_key = generate_key_pair(root / "release-keys")
    try:
        # MLflow and Prefect take the longest to come up: they start first and in the background.
        mlflow_server = MlflowServer(root / "mlflow", root / "logs")
        prefect_server = PrefectServer(root / "prefect", root / "logs")
        children += [mlflow_server, prefect_server]
        mlops = asyncio.gather(
            asyncio.to_thread(mlflow_server.start), asyncio.to_thread(prefect_server.start)
        )
        with console.status("starting the broker, the ingest, HQ and two store nodes…"):
            broker.start()
            ingest = Ingest(
                root / "lakehouse", broker.url("aiwebpos-ingest"), "ingest-1", root / "logs", own_session=True
            )
            ingest.start()
            children.append(ingest)
            hq = HqServer(
                root / "hq",
                root / "lakehouse",
                broker.url("aiwebpos-hq"),
                HQ_ADMIN_PASSWORD,
                root / "logs",
                catalog=_demo_catalog_csv(root / "demo-catalog.csv"),
            )
            children.append(hq)
            for store_id in STORES:
                logins = seed_demo_store(load_settings(root / store_id), store_id)
                printers[store_id] = _counter_printer(root / store_id)
                nodes[store_id] = StoreNode(
                    root / store_id, broker.url(store_id), own_session=True, model_public_key=public_key
                )
                children.append(nodes[store_id])
            # The nodes keep what they sell until the ingest listens: they may start beside it.
            await asyncio.gather(
                asyncio.to_thread(broker.wait_subscribed, "ingest-1"),
                asyncio.to_thread(hq.start),
                *(asyncio.to_thread(node.start) for node in nodes.values()),
            )
        with console.status("waiting for MLflow and Prefect…"):
            await mlops
        releases = ReleaseServer(root / "releases", root / "logs")
        children.append(releases)
        releases.start()
        release_to = {  # what the release flow needs: where artifacts go and are served, the key, the broker
            "AIWEBPOS_RELEASES_DIR": str(releases.folder),
            "AIWEBPOS_RELEASE_BASE_URL": releases.url,
            "AIWEBPOS_RELEASE_KEY_FILE": str(key_file),
            "AIWEBPOS_MQTT_URL": broker.url("aiwebpos-hq"),
        }
        models = _models(root, mlflow_server, prefect_server, *history, release_to)
        children.append(models)
        models.start()
        tills = [
            SimulatedTill(node.url, f"T{i + 1}", pin, seed=hash((store_id, i)), pace_s=pace)
            for store_id, node in nodes.items()
            for i, pin in enumerate(CASHIER_PINS)
        ]
        _banner(console, root, broker, nodes, printers, logins, (mlflow_server, prefect_server), hq)
        async with asyncio.TaskGroup() as group:
            for till in tills:
                group.create_task(till.run(stop))
            group.create_task(_report(console, tills, children, stop))
    finally:
        console.print("stopping…")
        for child in reversed(children):
            if isinstance(child, StoreNode):
                child.stop()
        with console.status("letting the ingest store the last events…"):
            await asyncio.to_thread(_settle, root, nodes)
        for child in reversed(children):  # the model flows before the servers they talk to; the ingest last
            child.stop()
        for printer in printers.values():
            printer.close()
        broker.stop()
        console.print(f"stopped. Everything the demo made is in {root}")


def _settle(root: Path, nodes: dict[str, StoreNode], timeout: float = 20) -> None:
    """Until every store's events are in the lakehouse (or time runs out): a clean stop loses nothing."""
    deadline = time.monotonic() + timeout
    for store_id, node in nodes.items():
        while (
            not reconcile(node.data_dir, root / "lakehouse", store_id).exact and time.monotonic() < deadline
        ):
            time.sleep(0.5)


async def _report(
    console: Console, tills: list[SimulatedTill], children: list[Process], stop: asyncio.Event
) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 30)
        dead = [child.log_path.name for child in children if not child.alive()]
        console.print(f"  {sum(t.sold for t in tills)} sales so far" + (f"; STOPPED: {dead}" if dead else ""))


def _models(
    root: Path,
    mlflow_server: MlflowServer,
    prefect_server: PrefectServer,
    days: int,
    skus: int,
    stores: int,
    release_to: dict[str, str],
) -> Process:
    """History, training and the deployments (demo/models.py), against the two servers."""
    lakehouse = str(root / "lakehouse")
    return Process(
        [
            *("python", "-m", "demo.models", "--lakehouse", lakehouse, "--mlflow-uri", mlflow_server.url),
            *("--days", str(days), "--skus", str(skus), "--stores", str(stores)),
        ],
        root / "logs" / "models.log",
        env={**prefect_env(root / "prefect"), "PREFECT_API_URL": prefect_server.api_url, **release_to},
        own_session=True,
    )


def _mlops_banner(
    console: Console, root: Path, mlflow_server: MlflowServer, prefect_server: PrefectServer
) -> None:
    console.print(f"  MLflow      {mlflow_server.url} — runs, metrics and the registered models")
    console.print(f"  Prefect     {prefect_server.url} — flow runs and the deployments' schedules")
    console.print(
        f"  models      history (MPT-03…), training, signed releases to the stores: follow {root / 'logs' / 'models.log'}"
    )


def _counter_printer(data_dir: Path) -> NetworkPrinterSimulator:
    """The receipt printer of till T3 (the one a person uses): a simulated network printer whose "paper"
    is a text file, given to the node in its node.toml as a real one would be."""
    printer = NetworkPrinterSimulator(transcript=data_dir / "printed-receipts.txt")
    (data_dir / "node.toml").write_text(
        f'[devices]\nprinter_profiles_dir = "{PRINTER_PROFILES}"\n'
        f'[devices.printers.counter]\nprofile = "epson-tm-t20"\nconnection = "{printer.url}"\n'
        '[devices.terminals.T3]\nprinter = "counter"\n',
        encoding="utf-8",
    )
    return printer


def _demo_catalog_csv(path: Path) -> Path:
    """The stores' demo grocery as a catalog file, for HQ's catalog master."""
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(("sku", "name", "price_cents", "vat_class", "unit", "category", "barcodes", "plu"))
        for sku, name, price, vat_class, unit, category, body, plu in DEMO_PRODUCTS:
            out.writerow((sku, name, price, vat_class, unit, category, make_gtin(body) if body else "", plu))
    return path


def _banner(
    console: Console,
    root: Path,
    broker: MosquittoBroker,
    nodes: dict[str, StoreNode],
    printers: dict[str, NetworkPrinterSimulator],
    logins: list[Login],
    mlops: tuple[MlflowServer, PrefectServer],
    hq: HqServer,
) -> None:
    console.print(
        f"\n[bold]AIWebPOS demo[/] — everything lives in {root}; logs in {root / 'logs'} and each store's folder"
    )
    for store_id, node in nodes.items():
        console.print(f"  store {store_id} ({STORES[store_id]}):  till {node.url}/till/?terminal=T3")
        console.print(f"      POS API {node.url}/api/v1   OpenAPI {node.url}/schema/openapi.json")
        console.print(f"      T3's receipt printer (simulated): tail -f {printers[store_id].transcript}")
    console.print(
        f"  HQ          {hq.url}/hq/ — log in as admin / {HQ_ADMIN_PASSWORD}: the fleet, the catalog master"
        " and pushes, reviews, the dashboards"
    )
    console.print(f"  broker      mqtt://127.0.0.1:{broker.port} (users and passwords in {root / 'broker'})")
    console.print(f"  lakehouse   {root / 'lakehouse'} — try:")
    console.print(
        f"    .venv/bin/aiwebpos-cloud sql --lakehouse {root / 'lakehouse'} "
        '"SELECT store_id, count(*) AS sales, sum(total_cents)/100 AS maloti FROM sales GROUP BY 1"'
    )
    _mlops_banner(console, root, *mlops)
    table = Table("role", "username", "password", "till PIN", title="logins (the same at every store)")
    for login in logins:
        table.add_row(login.role, login.username, login.password, login.pin or "—")
    console.print(table)
    console.print("  Two simulated tills sell at each store. Ctrl-C stops everything.\n")


if __name__ == "__main__":
    main()
