"""One store node draining its outbox backlog, timed from the node's side.

`NodeDrain.run()` starts `aiwebpos-edge serve` on a copy of the backlog with the broker up, and notes
when its connection came up (its retained online `status`, the first thing it publishes on every
connection, reaching a watcher) and when the last event was marked published (the latest
`published_at` the node wrote, once none is left unpublished). Times are `time.time()`.
"""

import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path

from aiwebpos_contracts.topics import status_topic
from bench.mqtt_load import Collector
from bench.node import cpu_seconds
from devkit.chain import StoreNode
from devkit.mosquitto import MosquittoBroker

POLL_S = 0.02


def pid_of(process: object) -> int:
    """The pid of a running broker, node or ingest (anything with a running `proc`)."""
    proc = getattr(process, "proc", None)
    if proc is None:
        raise RuntimeError(f"{process!r} is not running")
    return int(proc.pid)


def pending(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL").fetchone()[0])


def last_marked(db: Path) -> float:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        at = conn.execute("SELECT MAX(published_at) FROM outbox").fetchone()[0]
    return datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()


class NodeDrain:
    def __init__(self, broker: MosquittoBroker, template: Path, data_dir: Path, store_id: str) -> None:
        self.broker, self.store_id = broker, store_id
        self.node = StoreNode(shutil.copytree(template, data_dir), broker.url(store_id))
        self.started = self.connected = self.marked = 0.0
        self.node_cpu_s = 0.0

    def run(self, timeout: float = 120) -> None:
        """Start the node and wait until every event is marked published (the node keeps running)."""
        online = Collector(self.broker, "aiwebpos-hq", status_topic(self.store_id), expected=1)
        db = self.node.data_dir / "store.db"
        try:
            self.started = time.time()
            self.node.start()
            self.connected = online.wait(30)
            cpu = cpu_seconds(pid_of(self.node))
            deadline = time.monotonic() + timeout
            while pending(db) and time.monotonic() < deadline:
                time.sleep(POLL_S)
            if pending(db):
                raise RuntimeError(
                    f"the node left {pending(db)} events unpublished: {self.node.output()[-2000:]}"
                )
            self.node_cpu_s = cpu_seconds(pid_of(self.node)) - cpu
            self.marked = last_marked(db)
        finally:
            online.close()

    def stop(self) -> None:
        self.node.stop()
