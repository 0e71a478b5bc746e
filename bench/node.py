"""A real store node for a benchmark: `aiwebpos-edge init`, `catalog import` and `serve` as processes."""

import csv
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from aiwebpos_edge.barcodes import make_gtin
from aiwebpos_edge.demo.catalog import DEMO_PRODUCTS

EDGE = str(Path(sys.executable).parent / "aiwebpos-edge")
REPO = Path(__file__).resolve().parent.parent
STORE_ID = "BENCH-01"
ADMIN_PASSWORD = "bench-admin-password"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def edge(*args: str) -> float:
    """Run one `aiwebpos-edge` command to the end; its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run([EDGE, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"aiwebpos-edge {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - started


def init_node(data_dir: Path) -> None:
    edge("init", "--data-dir", str(data_dir), "--store-id", STORE_ID, "--admin-password", ADMIN_PASSWORD)


def write_demo_csv(path: Path) -> list[str]:
    """The demo grocery as an import file; the barcodes a till can scan without weighing anything."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name", "price_cents", "vat_class", "unit", "category", "barcodes", "plu"])
        for sku, name, price, vat_class, unit, category, body, plu in DEMO_PRODUCTS:
            writer.writerow(
                [sku, name, price, vat_class, unit, category, make_gtin(body) if body else "", plu]
            )
    return [make_gtin(body) for _, _, _, _, unit, _, body, _ in DEMO_PRODUCTS if body and unit == "each"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all cores have been busy since boot (everything but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


class Server:
    """`aiwebpos-edge serve` on a free port; `start()` answers how long until /health said 200."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def command(self) -> list[str]:
        return [EDGE, "serve", "--data-dir", str(self.data_dir), "--port", str(self.port)]

    def start(self, timeout: float = 60) -> float:
        self._log = log = open(self.data_dir / "serve.log", "ab")  # noqa: SIM115 - closed by stop()
        env = {**os.environ, "AIWEBPOS_LOG_LEVEL": "warning"}
        started = time.perf_counter()
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        with httpx.Client(timeout=1) as client:
            while time.perf_counter() - started < timeout:
                if self.proc.poll() is not None:
                    break
                try:
                    if client.get(f"{self.url}/health").status_code == 200:
                        return time.perf_counter() - started
                except httpx.TransportError:
                    time.sleep(0.005)
        self.stop()
        raise RuntimeError(f"node did not start: {(self.data_dir / 'serve.log').read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextmanager
def admin_client(url: str) -> Iterator[httpx.Client]:
    """An HTTP client logged in as the node's admin (setup only: httpx is too dear for the load)."""
    with httpx.Client(base_url=url, timeout=30) as client:
        login = client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        client.headers["Authorization"] = f"Bearer {expect(login, 200)['access_token']}"
        yield client


def expect(answer: httpx.Response, status: int) -> Any:
    if answer.status_code != status:
        raise RuntimeError(
            f"{answer.request.method} {answer.request.url} answered {answer.status_code}: {answer.text}"
        )
    return answer.json()
