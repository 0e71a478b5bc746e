"""The chain as real processes — store nodes and ingests — and the reconciliation of a store's outbox
against the lakehouse, event by event. Used by the cross-package tests and the benchmarks."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from devkit.mosquitto import free_port

BIN = Path(sys.executable).parent


class Process:
    """A console script of ours as a child process, its output in a log file."""

    def __init__(
        self, args: list[str], log: Path, env: dict[str, str] | None = None, own_session: bool = False
    ) -> None:
        """`own_session`: the child does not get the terminal's Ctrl-C (the demo stops its children itself)."""
        self.args, self.log_path, self.env, self.own_session = args, log, env or {}, own_session
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [str(BIN / self.args[0]), *self.args[1:]],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "AIWEBPOS_LOG_LEVEL": "warning", **self.env},
            start_new_session=self.own_session,
        )

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no goodbye, no flush — a crash or a power cut."""
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def _end(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class StoreNode(Process):
    def __init__(
        self, data_dir: Path, mqtt_url: str | None, own_session: bool = False, **settings: str
    ) -> None:
        self.data_dir, self.port = data_dir, free_port()
        env = {"AIWEBPOS_MQTT_URL": mqtt_url} if mqtt_url else {}
        env |= {f"AIWEBPOS_{name.upper()}": value for name, value in settings.items()}
        super().__init__(
            ["aiwebpos-edge", "serve", "--data-dir", str(data_dir), "--port", str(self.port)],
            data_dir / "serve.log",
            env,
            own_session,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        super().start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"the node exited: {self.output()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        self.stop()  # and close its log
        raise RuntimeError("the node did not start")


class Ingest(Process):
    def __init__(
        self,
        lakehouse: Path,
        mqtt_url: str,
        client_id: str,
        log_dir: Path,
        *extra: str,
        own_session: bool = False,
    ) -> None:
        super().__init__(
            [
                "aiwebpos-cloud",
                "ingest",
                "--lakehouse",
                str(lakehouse),
                "--mqtt-url",
                mqtt_url,
                "--client-id",
                client_id,
                *extra,
            ],
            log_dir / f"{client_id}.log",
            own_session=own_session,
        )


class HqServer(Process):
    """`aiwebpos-cloud hq serve` on a free port, its folder made by `hq init` with an admin."""

    def __init__(
        self,
        data_dir: Path,
        lakehouse: Path,
        mqtt_url: str,
        admin_password: str,
        log_dir: Path,
        catalog: Path | None = None,
    ) -> None:
        """`catalog`: a CSV imported into the catalog master before HQ serves."""
        self.data_dir, self.port, self.admin_password, self.catalog = (
            data_dir,
            free_port(),
            admin_password,
            catalog,
        )
        folders = ["--data-dir", str(data_dir), "--lakehouse", str(lakehouse)]
        args = ["aiwebpos-cloud", "hq", "serve", *folders, "--mqtt-url", mqtt_url, "--port", str(self.port)]
        super().__init__(args, log_dir / "hq.log", own_session=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        init = [str(BIN / "aiwebpos-cloud"), "hq", "init", "--data-dir", str(self.data_dir)]
        subprocess.run([*init, "--admin-password", self.admin_password], check=True, capture_output=True)
        if self.catalog is not None:
            load = [str(BIN / "aiwebpos-cloud"), "hq", "catalog-import", "--data-dir", str(self.data_dir)]
            subprocess.run([*load, str(self.catalog)], check=True, capture_output=True)
        super().start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"HQ exited: {self.output()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("HQ did not start")


def sql(lakehouse: Path, query: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [str(BIN / "aiwebpos-cloud"), "sql", "--lakehouse", str(lakehouse), "--json", query],
        capture_output=True,
        text=True,
        check=True,
    )
    rows: list[dict[str, Any]] = json.loads(done.stdout)
    return rows


def deriver_lag(lakehouse: Path) -> dict[str, Any]:
    """How far the derived tables (sales, sale_lines, …) are behind `events` (`lakehouse tables --json`)."""
    done = subprocess.run(
        [str(BIN / "aiwebpos-cloud"), "lakehouse", "tables", "--lakehouse", str(lakehouse), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    lag: dict[str, Any] = json.loads(done.stdout)["deriver"]
    return lag


def wait_derived(lakehouse: Path, timeout: float = 60) -> dict[str, Any]:
    """Poll until the derived tables hold every event stored so far (or time runs out); the last lag read.

    An ingest's deriver follows `events` about once a second, so a query of `sales` right after the
    events are in may not see them yet."""
    deadline = time.monotonic() + timeout
    lag = deriver_lag(lakehouse)
    while not lag["caught_up"] and time.monotonic() < deadline:
        time.sleep(0.2)
        lag = deriver_lag(lakehouse)
    return lag


def outbox_events(data_dir: Path) -> list[tuple[str, int, str]]:
    """(event_id, seq, type) of every event the store has written, in seq order."""
    with sqlite3.connect(f"file:{data_dir / 'store.db'}?mode=ro", uri=True) as conn:
        return [
            (r[0], r[1], r[2]) for r in conn.execute("SELECT event_id, seq, type FROM outbox ORDER BY seq")
        ]


def published_event_ids(data_dir: Path) -> list[str]:
    """The events the node has seen acknowledged by the broker."""
    with sqlite3.connect(f"file:{data_dir / 'store.db'}?mode=ro", uri=True) as conn:
        return [r[0] for r in conn.execute("SELECT event_id FROM outbox WHERE published_at IS NOT NULL")]


@dataclass(frozen=True)
class Reconciliation:
    missing: list[str]  # in the store's outbox, not in the lakehouse
    doubled: list[str]  # stored more than once
    foreign: list[str]  # in the lakehouse under this store, unknown to the store
    stored: int

    @property
    def exact(self) -> bool:
        return not (self.missing or self.doubled or self.foreign)


def reconcile(data_dir: Path, lakehouse: Path, store_id: str) -> Reconciliation:
    ours = {event_id: (seq, kind) for event_id, seq, kind in outbox_events(data_dir)}
    rows = sql(lakehouse, f"SELECT event_id, seq, type FROM events WHERE store_id = '{store_id}'")
    seen: dict[str, int] = {}
    for row in rows:
        seen[row["event_id"]] = seen.get(row["event_id"], 0) + 1
    mismatched = [
        r["event_id"] for r in rows if r["event_id"] in ours and ours[r["event_id"]] != (r["seq"], r["type"])
    ]
    return Reconciliation(
        missing=sorted(set(ours) - set(seen)),
        doubled=sorted(e for e, n in seen.items() if n > 1),
        foreign=sorted((set(seen) - set(ours)) | set(mismatched)),
        stored=len(rows),
    )
