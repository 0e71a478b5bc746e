"""`aiwebpos-cloud ingest` storing a chain's stream in the lakehouse, with one and with two processes,
beside raw deltalake appends and MERGEs of the same rows in the same batches (same run).

The stream: 20,000 envelopes of 4 stores (bench.envelopes), published at QoS 1 by a plain paho publisher
process logged in as each store (100 in flight per store). For every configuration a fresh Mosquitto
(devkit: production ACL) and a fresh lakehouse; the ingest processes start and subscribe (their shared
subscription) before the clock starts at the first PUBLISH; it stops at the commit (Delta log time) that
brings `events` to 20,000 rows, and `events` is then checked to hold each event_id once. Configurations:
one process at the ingest's default batch size, two at the default, one at 2,000 and one at 10,000
(`--batch-size`). The yardsticks (bench.delta_raw) run on the same rows in the same batch sizes; and the
same publisher sends the same messages, through a fresh broker of the same config, to a plain paho QoS 1
subscriber: the pace MQTT itself allows any ingest on this machine (bench.mqtt_load).

Each ingest runs its deriver thread (the default). When the clock stops, the derived tables' lag behind
`events` is read (versions, and the age of the oldest commit not derived yet), then the run waits for
the deriver to catch up and notes when it did: the figure is `events`, and the lag is reported beside it.
"""

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import msgspec
from rich.progress import Progress

from aiwebpos_cloud.settings import IngestSettings
from aiwebpos_contracts import Envelope
from aiwebpos_contracts.topics import ALL_EVENTS
from bench import delta_raw
from bench.drain import pid_of
from bench.envelopes import as_messages, chain_stream
from bench.lake import derived_lag, rows_and_keys, wait_derived, wait_for_rows
from bench.mqtt_load import publish, publish_to_subscriber, write_messages
from bench.node import cpu_seconds, machine_busy_seconds
from bench.results import RUNS, BenchResult, Figure, median
from devkit.chain import Ingest
from devkit.mosquitto import MosquittoBroker

NAME = "ingest"
EVENTS = 20_000
STORES = [f"BENCH-{i:02d}" for i in range(1, 5)]
USERS = {store: f"{store.lower()}-secret" for store in STORES} | {"aiwebpos-ingest": "bench-ingest-secret"}
DEFAULT_BATCH: int = next(f.default for f in msgspec.structs.fields(IngestSettings) if f.name == "batch_size")
BATCH_SIZES = sorted({2_000, DEFAULT_BATCH, 10_000})
CONFIGS = [(1, DEFAULT_BATCH), (2, DEFAULT_BATCH)] + [(1, b) for b in BATCH_SIZES if b != DEFAULT_BATCH]
GOAL_RAW, GOAL_SCALE = 0.5, 1.6
BATCH_LINE = re.compile(r"batch of (\d+): (\d+) events stored.* in (\d+) ms \((\d+) retried merges\)")


def label(processes: int, batch: int) -> str:
    default = " (default)" if batch == DEFAULT_BATCH else ""
    return f"{processes} ingest{'s' if processes > 1 else ''}, batch {batch:,}{default}"


def ingest_run(folder: Path, messages: Path, processes: int, batch: int) -> dict[str, Any]:
    folder.mkdir(parents=True)
    broker = MosquittoBroker(folder / "broker", USERS)
    broker.start()
    lakehouse, url = folder / "lakehouse", broker.url("aiwebpos-ingest")
    extra = ["--log-level", "info", "--batch-size", str(batch)]
    ingests = [Ingest(lakehouse, url, f"bench-ingest-{i}", folder, *extra) for i in range(processes)]
    try:
        for ingest in ingests:
            ingest.start()
        for i in range(processes):
            broker.wait_subscribed(f"bench-ingest-{i}")
        pids = [pid_of(process) for process in (*ingests, broker)]  # the broker last
        cpu0, busy0 = [cpu_seconds(pid) for pid in pids], machine_busy_seconds()
        sent = publish(broker, messages)
        stored_at = wait_for_rows(lakehouse / "events", EVENTS)
        cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu0, strict=True)]
        # what the publisher process spent starting and reading its messages is not the stream's
        busy = machine_busy_seconds() - busy0 - (sent.process_cpu_s - sent.cpu_s)
        lag = derived_lag(lakehouse)  # at the moment the clock stopped (one poll, ≤ 50 ms, later)
        derived_at = wait_derived(lakehouse)
        cpu_derived = sum(cpu_seconds(pid) - before for pid, before in zip(pids[:-1], cpu0, strict=False))
    finally:
        for ingest in ingests:
            ingest.stop()
        broker.kill()
    rows, keys = rows_and_keys(lakehouse / "events")
    batches = [tuple(int(g) for g in m.groups()) for i in ingests for m in BATCH_LINE.finditer(i.output())]
    seconds = stored_at - sent.first_sent_at
    return {
        "events_per_s": EVENTS / seconds,
        "seconds": seconds,
        "derived_lag_versions": lag["versions"],
        "derived_lag_s": lag["seconds"],
        "derived_after_s": max(0.0, derived_at - stored_at),
        "derived_per_s": EVENTS / (max(derived_at, stored_at) - sent.first_sent_at),
        "ingest_cpu_ms_per_1000": sum(cpu[:-1]) / EVENTS * 1e6,
        "ingest_cpu_ms_per_1000_with_deriving": cpu_derived / EVENTS * 1e6,
        "publish_per_s": sent.published / sent.seconds,
        "ingest_cores": sum(cpu[:-1]) / seconds,
        "broker_cores": cpu[-1] / seconds,
        "publisher_cores": sent.cpu_s / seconds,
        "machine_cores": busy / seconds,
        "batches": len(batches),
        "mean_batch": sum(b[0] for b in batches) / max(1, len(batches)),
        "mean_write_ms": sum(b[2] for b in batches) / max(1, len(batches)),
        "retried_merges": sum(b[3] for b in batches),
        "exact": rows == keys == EVENTS,
    }


def paho_run(folder: Path, messages: Path) -> float:
    """Events/s from the first PUBLISH to the last message in at a plain QoS 1 subscriber."""
    folder.mkdir(parents=True)
    broker = MosquittoBroker(folder / "broker", USERS)
    broker.start()
    try:
        sent, last_in = publish_to_subscriber(broker, messages, ALL_EVENTS, EVENTS)
    finally:
        broker.kill()
    return EVENTS / (last_in - sent.first_sent_at)


def yardsticks(folder: Path, envelopes: list[Envelope], batch: int) -> dict[str, float]:
    groups = delta_raw.batches_of(envelopes, batch)
    rows = delta_raw.event_rows(groups)
    return {
        "append_per_s": EVENTS / delta_raw.append(folder / "append", rows),
        "merge_per_s": EVENTS / delta_raw.merge(folder / "merge", rows),
        "writer_per_s": EVENTS / delta_raw.writer(folder / "writer", groups),
        "deriver_per_s": EVENTS / delta_raw.deriver(folder / "writer", batch),
    }


def run(progress: Progress) -> BenchResult:
    envelopes = chain_stream(STORES, EVENTS)
    steps = progress.add_task(
        f"ingest: {EVENTS:,} events into the lakehouse, {len(CONFIGS)} set-ups + raw Delta",
        total=RUNS * (len(CONFIGS) + len(BATCH_SIZES) + 1),
    )
    load_at_start = os.getloadavg()
    runs: dict[str, list[dict[str, Any]]] = {label(p, b): [] for p, b in CONFIGS}
    raw: dict[int, list[dict[str, float]]] = {b: [] for b in BATCH_SIZES}
    paho: list[float] = []
    with tempfile.TemporaryDirectory(prefix="aiwebpos-bench-") as tmp:
        folder = Path(tmp)
        messages = write_messages(folder / "messages.msgpack", as_messages(envelopes))
        for i in range(RUNS):
            for processes, batch in CONFIGS:
                where = folder / f"run-{i}" / f"{processes}x{batch}"
                runs[label(processes, batch)].append(ingest_run(where, messages, processes, batch))
                progress.advance(steps)
            paho.append(paho_run(folder / f"run-{i}" / "paho", messages))
            progress.advance(steps)
            for batch in BATCH_SIZES:
                raw[batch].append(yardsticks(folder / f"run-{i}" / f"raw-{batch}", envelopes, batch))
                progress.advance(steps)
    result = report(runs, raw, paho, envelopes)
    result.details["loadavg_at_start"] = list(load_at_start)
    return result


def report(
    runs: dict[str, list[dict[str, Any]]],
    raw: dict[int, list[dict[str, float]]],
    paho: list[float],
    envelopes: list[Envelope],
) -> BenchResult:
    result = BenchResult(NAME)
    mid = {name: {k: median([r[k] for r in rs]) for k in rs[0] if k != "exact"} for name, rs in runs.items()}
    raw_mid = {b: {k: median([r[k] for r in rs]) for k in rs[0]} for b, rs in raw.items()}
    for processes, batch in CONFIGS:
        name = label(processes, batch)
        goal = f"≥ {GOAL_RAW:.0%} of raw" if (processes, batch) == (1, DEFAULT_BATCH) else ""
        limit = raw_mid[batch]["append_per_s"]
        figure = result.add(
            Figure(
                name,
                mid[name]["events_per_s"],
                "events/s",
                "higher",
                limit,
                f"raw append, batch {batch:,}",
                goal,
            )
        )
        if goal:
            figure.met = (figure.ratio or 0) >= GOAL_RAW
            append = raw_mid[batch]["append_per_s"]
            result.add(
                Figure(
                    "  ceiling: raw paho QoS 1, publisher to a plain subscriber",
                    median(paho),
                    "events/s",
                    "higher",
                    append,
                    f"raw append, batch {batch:,}",
                )
            )
            result.add(
                Figure(
                    "  the same ingest, beside raw paho",
                    figure.value,
                    "events/s",
                    "higher",
                    median(paho),
                    "raw paho QoS 1, end to end",
                )
            )
            for key, what in (
                ("merge_per_s", "raw MERGE by event_id"),
                ("writer_per_s", "LakehouseWriter alone"),
                ("deriver_per_s", "the deriver alone, a pass per batch"),
            ):
                result.add(
                    Figure(
                        f"  the same, beside {what}",
                        figure.value,
                        "events/s",
                        "higher",
                        raw_mid[batch][key],
                        f"{what}, batch {batch:,}",
                    )
                )
            default = mid[name]
            result.add(
                Figure("  derived tables then: behind by", default["derived_lag_versions"], "versions")
            )
            result.add(Figure("  — the oldest not derived, waiting for", default["derived_lag_s"], "s"))
            result.add(Figure("  — all derived, after events was complete", default["derived_after_s"], "s"))
            result.add(Figure("  — so into the derived tables", default["derived_per_s"], "events/s"))
            result.add(Figure("  ingest CPU per 1,000 events", default["ingest_cpu_ms_per_1000"], "ms"))
            result.add(
                Figure(
                    "  — with the deriver's catching up",
                    default["ingest_cpu_ms_per_1000_with_deriving"],
                    "ms",
                )
            )
    one, two = mid[label(1, DEFAULT_BATCH)]["events_per_s"], mid[label(2, DEFAULT_BATCH)]["events_per_s"]
    scale = result.add(
        Figure(
            f"2 ingests ÷ 1 (batch {DEFAULT_BATCH:,})",
            two / one,
            "×",
            "higher",
            2.0,
            "perfect scaling",
            f"≥ {GOAL_SCALE:g}×",
        )
    )
    scale.met = scale.value >= GOAL_SCALE
    two_busy = mid[label(2, DEFAULT_BATCH)]
    for name, value in (
        ("cores busy: 1 ingest process", mid[label(1, DEFAULT_BATCH)]["ingest_cores"]),
        ("cores busy: 2 ingest processes", two_busy["ingest_cores"]),
        ("cores busy: whole machine, 2 ingests", two_busy["machine_cores"]),
    ):
        result.add(Figure(name, value, "cores", "higher", 2.0, "the machine's cores"))
    best = max(BATCH_SIZES, key=lambda b: mid[label(1, b)]["events_per_s"])
    result.add(
        Figure(f"fastest batch size for 1 ingest: {best:,}", mid[label(1, best)]["events_per_s"], "events/s")
    )
    for name, rs in runs.items():
        bad = [i for i, r in enumerate(rs) if not r["exact"]]
        if bad:
            result.warnings.append(
                f"{name}, runs {bad}: `events` does not hold each of the {EVENTS:,} events once"
            )
    types: dict[str, int] = {}
    for envelope in envelopes:
        types[envelope.type] = types.get(envelope.type, 0) + 1
    result.details = {
        "events": EVENTS,
        "stores": STORES,
        "event_types": types,
        "default_batch_size": DEFAULT_BATCH,
        "runs": runs,
        "raw_runs": {str(b): rs for b, rs in raw.items()},
        "medians": mid,
        "raw_medians": {str(b): m for b, m in raw_mid.items()},
        "raw_paho_end_to_end_per_s": paho,
        "goal_met": all(f.met for f in result.figures if f.met is not None),
    }
    return result
