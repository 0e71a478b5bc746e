"""`make demo` as a new user meets it: it starts the whole chain, prints where everything is, a person
can sell at till T3 and get the receipt from its printer, the models train on the chain's history into
MLflow through Prefect flow runs, and Ctrl-C stops it all cleanly."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from aiwebpos_edge.barcodes import make_gtin
from aiwebpos_edge.demo.catalog import DEMO_PRODUCTS

MILK_1L = make_gtin("600555100017")  # in the demo grocery, M21.99
ROOT = Path(__file__).resolve().parents[1]
# The smallest history every model trains on (a forecast backtest needs 84 days): the models train in
# well under a minute.
SMALL_HISTORY = ("--history-days", "88", "--history-skus", "20", "--history-stores", "1")


def wait_for_line(
    proc: subprocess.Popen[str], pattern: str, seen: list[str], timeout_s: float
) -> re.Match[str]:
    deadline = time.monotonic() + timeout_s
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("the demo ended early:\n" + "".join(seen))
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    raise AssertionError(f"the demo never printed {pattern!r}:\n" + "".join(seen))


def test_the_demo_starts_sells_prints_and_stops_cleanly(tmp_path: Path) -> None:
    env = os.environ | {"COLUMNS": "200", "TERM": "dumb"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo", "--dir", str(tmp_path / "demo"), "--pace", "2", *SMALL_HISTORY],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        start_new_session=True,
    )
    seen: list[str] = []
    try:
        till = wait_for_line(proc, r"store MSU-01 .*till (http://\S+)/till/\?terminal=T3", seen, 120)
        base = till.group(1)
        paper = Path(
            wait_for_line(proc, r"T3's receipt printer \(simulated\): tail -f (\S+)", seen, 10).group(1)
        )
        hq = wait_for_line(proc, r"HQ +(http://\S+)/hq/ — log in as admin / (\S+):", seen, 10)
        mlflow = wait_for_line(proc, r"MLflow +(http://\S+)", seen, 10).group(1)
        prefect = wait_for_line(proc, r"Prefect +(http://\S+)", seen, 10).group(1)
        models_log = Path(wait_for_line(proc, r"follow (\S+models\.log)", seen, 10).group(1))
        wait_for_line(proc, r"Ctrl-C stops everything", seen, 30)
        assert httpx.get(mlflow, timeout=10).status_code == 200  # the MLflow UI
        assert httpx.get(prefect, timeout=10).status_code == 200  # the Prefect UI
        with httpx.Client(base_url=hq.group(1), timeout=10) as http:  # HQ sees both stores online
            token = http.post("/api/v1/auth/login", json={"username": "admin", "password": hq.group(2)})
            assert token.status_code == 200, token.text
            http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            deadline = time.monotonic() + 30
            while {s["store_id"] for s in http.get("/api/v1/fleet/").json() if s["online"]} != {
                "MSU-01",
                "TY-02",
            }:
                assert time.monotonic() < deadline, http.get("/api/v1/fleet/").json()
                time.sleep(0.5)
            master = http.get("/api/v1/catalog/products", params={"limit": 1}).json()
            assert master["total"] == len(DEMO_PRODUCTS)  # the stores' grocery is HQ's catalog master

        with httpx.Client(base_url=base, timeout=10) as http:
            assert http.get("/till/?terminal=T3").status_code == 200
            login = http.post("/api/v1/auth/pin", json={"terminal_id": "T3", "pin": "1234"})
            assert login.status_code == 200, login.text
            http.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
            shift = http.post("/api/v1/shifts", json={"terminal_id": "T3", "opening_float_cents": 20_000})
            sale = http.post(
                "/api/v1/sales", json={"terminal_id": "T3", "shift_id": shift.json()["id"]}
            ).json()
            http.post(f"/api/v1/sales/{sale['id']}/lines", json={"barcode": MILK_1L})
            http.post(f"/api/v1/sales/{sale['id']}/payments", json={"method": "cash", "amount_cents": 2_199})
            receipt = http.post(f"/api/v1/sales/{sale['id']}/complete", json={}).json()
        deadline = time.monotonic() + 15
        while receipt["receipt_no"] not in (paper.read_text() if paper.exists() else ""):
            assert time.monotonic() < deadline, "the receipt never came out of T3's printer"
            time.sleep(0.1)

        deadline = time.monotonic() + 400
        while "models released" not in (models_log.read_text() if models_log.exists() else ""):
            assert time.monotonic() < deadline, "the models never trained:\n" + models_log.read_text()
            time.sleep(1)
        for model in ("aiwebpos-forecast", "aiwebpos-fraud", "aiwebpos-pricing"):
            champion = httpx.get(
                f"{mlflow}/api/2.0/mlflow/registered-models/alias",
                params={"name": model, "alias": "champion"},
                timeout=10,
            )
            assert champion.status_code == 200, champion.text
        with httpx.Client(base_url=base, timeout=10) as http:  # the store took the signed champions
            login = http.post("/api/v1/auth/pin", json={"terminal_id": "T3", "pin": "1234"}).json()
            http.headers["Authorization"] = f"Bearer {login['access_token']}"
            deadline = time.monotonic() + 60
            while {m["name"] for m in http.get("/api/v1/models").json()} != {
                "aiwebpos-forecast",
                "aiwebpos-fraud",
                "aiwebpos-pricing",
            }:
                assert time.monotonic() < deadline, http.get("/api/v1/models").text
                time.sleep(0.5)
        runs = httpx.post(f"{prefect}/api/flow_runs/filter", json={}, timeout=10).json()
        assert {"train-forecast", "train-fraud", "train-pricing"} <= {
            httpx.get(f"{prefect}/api/flows/{run['flow_id']}", timeout=10).json()["name"]
            for run in runs
            if run["state_type"] == "COMPLETED"
        }

        os.killpg(proc.pid, signal.SIGINT)
        assert proc.stdout is not None
        rest, _ = proc.communicate(timeout=90)
        seen.append(rest)
        assert proc.returncode == 0, "".join(seen)
        assert "stopped." in rest
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
