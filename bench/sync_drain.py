"""A store node drains a backlog of 20,000 events into the lakehouse, beside raw paho QoS 1 (same run).

The backlog is made once by the node's own services while it is offline (bench.backlog) and copied for
every run. Each run has a fresh Mosquitto (devkit: the production ACL, persistence, on a free port):

1. **Raw limit**: a plain paho publisher process, logged in as the store, publishes the backlog's own
   20,000 envelopes (same topics, same bytes) at QoS 1 with 100 in flight, to a plain QoS 1 subscriber
   (bench.mqtt_load). Publisher side: first PUBLISH to last PUBACK; end to end: to the last message in.
2. **The node**: an `aiwebpos-cloud ingest` process (default settings) starts and subscribes; then
   `aiwebpos-edge serve` starts on a copy of the backlog with the broker up. The clock starts when the
   node's connection is up (its retained online `status`, which it publishes first, reaches a watcher)
   and stops when the last event is marked published in the outbox (the node's own `published_at`), and
   when the commit that holds the last event lands in the lakehouse's `events` table (its Delta log time).
   The reconnect backoff after a real outage (uniform in 0…0.5·2^n s) comes on top and is not measured.
   At that moment the derived tables' lag behind `events` is read, and the run then waits for the
   ingest's deriver to catch up and notes when it did (reported beside the figure, not in it).
3. The store's outbox is reconciled against the lakehouse event by event (`devkit.chain.reconcile`).
4. Diagnostic: the node drains again (a fresh copy, a fresh broker) to a plain subscriber instead of
   the ingest, which otherwise takes about a core of the machine's 2 while the node drains.
"""

import os
import re
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.progress import Progress

from aiwebpos_contracts.topics import ALL_EVENTS, event_topic
from bench.backlog import build_backlog
from bench.drain import NodeDrain, pid_of
from bench.lake import derived_lag, wait_derived, wait_for_rows
from bench.mqtt_load import Collector, Message, publish_to_subscriber, write_messages
from bench.node import cpu_seconds
from bench.results import RUNS, BenchResult, Figure, median
from bench.stack import server_stack
from devkit.chain import Ingest, reconcile
from devkit.mosquitto import MosquittoBroker

NAME = "sync_drain"
EVENTS = 20_000
STORE_ID = "BENCH-01"
INGEST_ID = "bench-ingest"
USERS = {STORE_ID: "bench-store-secret", "aiwebpos-ingest": "bench-ingest-secret", "aiwebpos-hq": "bench-hq"}
GOAL = 0.6
BATCH_LINE = re.compile(r"batch of (\d+): (\d+) events stored.* in (\d+) ms")


def backlog_messages(data_dir: Path) -> list[Message]:
    with sqlite3.connect(data_dir / "store.db") as conn:
        rows = conn.execute("SELECT type, envelope FROM outbox ORDER BY seq").fetchall()
    return [(STORE_ID, event_topic(STORE_ID, kind), envelope.encode()) for kind, envelope in rows]


def raw_phase(broker: MosquittoBroker, messages: Path) -> dict[str, float]:
    broker_cpu = cpu_seconds(pid_of(broker))
    sent, last_in = publish_to_subscriber(broker, messages, ALL_EVENTS, EVENTS)
    if sent.refused or sent.unrouted:
        raise RuntimeError(f"raw publisher: {sent.refused} refused, {sent.unrouted} unrouted")
    return {
        "puback_per_s": sent.published / sent.seconds,
        "end_to_end_per_s": sent.published / (last_in - sent.first_sent_at),
        "publisher_cpu_ms_per_1000": sent.cpu_s / sent.published * 1e6,
        "broker_cpu_ms_per_1000": (cpu_seconds(pid_of(broker)) - broker_cpu) / sent.published * 1e6,
    }


def ingest_phase(broker: MosquittoBroker, template: Path, folder: Path) -> dict[str, Any]:
    """The node drains into a running, subscribed `aiwebpos-cloud ingest` (default settings)."""
    lakehouse = folder / "lakehouse"
    ingest = Ingest(lakehouse, broker.url("aiwebpos-ingest"), INGEST_ID, folder, "--log-level", "info")
    ingest.start()
    broker.wait_subscribed(INGEST_ID)
    drain = NodeDrain(broker, template, folder / "node", STORE_ID)
    try:
        cpu0 = (cpu_seconds(pid_of(ingest)), cpu_seconds(pid_of(broker)))
        drain.run()
        in_lake = wait_for_rows(lakehouse / "events", EVENTS)
        ingest_cpu = cpu_seconds(pid_of(ingest)) - cpu0[0]
        broker_cpu = cpu_seconds(pid_of(broker)) - cpu0[1]
        lag = derived_lag(lakehouse)  # at the moment the clock stopped (one poll, ≤ 50 ms, later)
        derived_at = max(wait_derived(lakehouse), in_lake)
        ingest_cpu_derived = cpu_seconds(pid_of(ingest)) - cpu0[0]
    finally:
        drain.stop()
        ingest.stop()
    check = reconcile(drain.node.data_dir, lakehouse, STORE_ID)
    batches = [tuple(int(g) for g in m.groups()) for m in BATCH_LINE.finditer(ingest.output())]
    return {
        "start_to_connected_s": drain.connected - drain.started,
        "marked_s": drain.marked - drain.connected,
        "in_lakehouse_s": in_lake - drain.connected,
        "marked_per_s": EVENTS / (drain.marked - drain.connected),
        "in_lakehouse_per_s": EVENTS / (in_lake - drain.connected),
        "node_cpu_ms_per_1000": drain.node_cpu_s / EVENTS * 1e6,
        "ingest_cpu_ms_per_1000": ingest_cpu / EVENTS * 1e6,
        "ingest_cpu_ms_per_1000_with_deriving": ingest_cpu_derived / EVENTS * 1e6,
        "derived_lag_versions": lag["versions"],
        "derived_lag_s": lag["seconds"],
        "derived_after_s": derived_at - in_lake,
        "in_derived_tables_per_s": EVENTS / (derived_at - drain.connected),
        "broker_cpu_ms_per_1000": broker_cpu / EVENTS * 1e6,
        "ingest_batches": [{"messages": b[0], "stored": b[1], "ms": b[2]} for b in batches],
        "reconciled_exact": check.exact,
        "missing": len(check.missing),
        "doubled": len(check.doubled),
        "stored": check.stored,
    }


def subscriber_phase(folder: Path, template: Path) -> dict[str, float]:
    """Diagnostic: the node drains to a plain paho subscriber instead (a broker of its own), so that no
    ingest competes with it for the 2 cores."""
    broker = MosquittoBroker(folder / "broker-plain", USERS)
    broker.start()
    subscriber = Collector(broker, "aiwebpos-ingest", ALL_EVENTS, EVENTS)
    drain = NodeDrain(broker, template, folder / "node-plain", STORE_ID)
    try:
        drain.run()
        last_in = subscriber.wait()
    finally:
        subscriber.close()
        drain.stop()
        broker.kill()
    return {
        "marked_per_s": EVENTS / (drain.marked - drain.connected),
        "end_to_end_per_s": EVENTS / (last_in - drain.connected),
        "node_cpu_ms_per_1000": drain.node_cpu_s / EVENTS * 1e6,
    }


def one_run(folder: Path, template: Path, messages: Path) -> dict[str, Any]:
    folder.mkdir()
    broker = MosquittoBroker(folder / "broker", USERS)
    broker.start()
    try:
        raw = raw_phase(broker, messages)
        node = ingest_phase(broker, template, folder)
    finally:
        broker.kill()
    return {"raw": raw, "node": node, "plain": subscriber_phase(folder, template)}


def run(progress: Progress) -> BenchResult:
    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="aiwebpos-bench-") as tmp:
        folder = Path(tmp)
        task = progress.add_task(f"sync_drain: a backlog of {EVENTS:,} events, sold offline", total=EVENTS)
        template = folder / "backlog"
        started = time.perf_counter()
        sizes = build_backlog(template, STORE_ID, EVENTS, lambda n: progress.update(task, completed=n))
        sizes["build_s"] = time.perf_counter() - started
        messages = write_messages(folder / "messages.msgpack", backlog_messages(template))
        runs = progress.add_task(
            "sync_drain: raw paho, then the node draining into the lakehouse", total=RUNS
        )
        results = []
        for i in range(RUNS):
            results.append(one_run(folder / f"run-{i}", template, messages))
            progress.advance(runs)
    result = report(results, sizes)
    result.details["loadavg_at_start"] = list(load_at_start)
    return result


def report(runs: list[dict[str, Any]], sizes: dict[str, float]) -> BenchResult:
    result = BenchResult(NAME)
    raw = {key: median([r["raw"][key] for r in runs]) for key in runs[0]["raw"]}
    node_keys = [k for k, v in runs[0]["node"].items() if isinstance(v, float)]
    node = {key: median([r["node"][key] for r in runs]) for key in node_keys}
    goal = f"≥ {GOAL:.0%} of raw"
    for name, value, limit, label in (
        ("drain: all marked published", node["marked_per_s"], raw["puback_per_s"], "raw paho QoS 1, PUBACKs"),
        (
            "drain: all in lakehouse `events`",
            node["in_lakehouse_per_s"],
            raw["end_to_end_per_s"],
            "raw paho QoS 1, end to end",
        ),
    ):
        figure = result.add(Figure(name, value, "events/s", "higher", limit, label, goal))
        figure.met = (figure.ratio or 0) >= GOAL
    for name, value, unit in (
        ("  derived tables then: behind by", node["derived_lag_versions"], "versions"),
        ("  — the oldest not derived, waiting for", node["derived_lag_s"], "s"),
        ("  — all derived, after events was complete", node["derived_after_s"], "s"),
    ):
        result.add(Figure(name, value, unit))
    result.add(
        Figure(
            "drain: all in the derived tables too",
            node["in_derived_tables_per_s"],
            "events/s",
            "higher",
            raw["end_to_end_per_s"],
            "raw paho QoS 1, end to end",
        )
    )
    plain = {key: median([r["plain"][key] for r in runs]) for key in runs[0]["plain"]}
    result.add(
        Figure(
            "drain, no ingest running (diagnostic)",
            plain["marked_per_s"],
            "events/s",
            "higher",
            raw["puback_per_s"],
            "raw paho QoS 1, PUBACKs",
        )
    )
    result.add(
        Figure(
            "node CPU per 1,000 events",
            node["node_cpu_ms_per_1000"],
            "ms",
            limit=raw["publisher_cpu_ms_per_1000"],
            limit_label="raw publisher CPU",
        )
    )
    result.add(
        Figure(
            "broker CPU per 1,000 events",
            node["broker_cpu_ms_per_1000"],
            "ms",
            limit=raw["broker_cpu_ms_per_1000"],
            limit_label="broker CPU, raw run",
        )
    )
    result.add(Figure("ingest CPU per 1,000 events", node["ingest_cpu_ms_per_1000"], "ms"))
    result.add(
        Figure("  — with the deriver's catching up", node["ingest_cpu_ms_per_1000_with_deriving"], "ms")
    )
    result.add(Figure("node start → connected", node["start_to_connected_s"], "s"))
    bad = [i for i, r in enumerate(runs) if not r["node"]["reconciled_exact"]]
    if bad:
        result.warnings.append(f"runs {bad}: the lakehouse does not match the store's outbox event by event")
    result.details = {
        "events": EVENTS,
        "backlog": sizes,
        "window": 100,
        "runs": runs,
        "medians": {"raw": raw, "node": node, "plain": plain},
        "server_stack": server_stack(),
        "goal_met": all(f.met for f in result.figures if f.met is not None),
    }
    return result
