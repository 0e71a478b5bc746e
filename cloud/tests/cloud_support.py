"""Helpers of the cloud tests: the ingest as a real process, a store publishing, lakehouse queries."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from aiwebpos_cloud.lakehouse.deriver import Deriver, derive_lag
from aiwebpos_cloud.lakehouse.query import run_query
from aiwebpos_contracts import Envelope, encode_envelope
from aiwebpos_contracts.topics import event_topic
from devkit.mosquitto import MosquittoBroker

CLOUD = str(Path(sys.executable).with_name("aiwebpos-cloud"))


def wait_until(done: Callable[[], bool], timeout: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def derive(lakehouse: Path) -> None:
    """Bring the derived tables up to `events` now (what an ingest's deriver does within a second)."""
    Deriver(lakehouse).derive_pending(wait=True)


def wait_derived(lakehouse: Path, timeout: float = 30) -> None:
    """Wait until the derived tables hold every event stored so far (the deriver has caught up)."""
    wait_until(lambda: derive_lag(lakehouse).caught_up, timeout, "the deriver to catch up with events")


def query(lakehouse: Path, sql: str) -> list[dict[str, Any]]:
    result = run_query(lakehouse, sql)
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def scalar(lakehouse: Path, sql: str) -> Any:
    return run_query(lakehouse, sql).rows[0][0]


class StorePublisher:
    """A store node's MQTT side, reduced to publishing envelopes (QoS 1, 100 in flight)."""

    def __init__(self, broker: MosquittoBroker, store_id: str) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=store_id, protocol=mqtt.MQTTv5)
        self.client.username_pw_set(store_id, broker.users[store_id])
        self.client.max_inflight_messages_set(100)
        self.client.connect(broker.host, broker.port, keepalive=30)
        self.client.loop_start()

    def publish(self, envelopes: Sequence[Envelope]) -> None:
        infos = [
            self.client.publish(event_topic(e.store_id, e.type), encode_envelope(e), qos=1) for e in envelopes
        ]
        for info in infos:
            info.wait_for_publish(30)

    def publish_raw(self, topic: str, payload: bytes) -> None:
        self.client.publish(topic, payload, qos=1).wait_for_publish(10)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class IngestProcess:
    """`aiwebpos-cloud ingest` as a real process, its log in a file."""

    def __init__(
        self, broker: MosquittoBroker, lakehouse: Path, client_id: str, log: Path, **env: str
    ) -> None:
        self.args = [CLOUD, "ingest", "--lakehouse", str(lakehouse), "--client-id", client_id]
        self.env = {**os.environ, "AIWEBPOS_MQTT_URL": broker.url("aiwebpos-ingest"), **env}
        self.log_path = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "IngestProcess":
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(self.args, env=self.env, stdout=log, stderr=log)
        wait_until(
            lambda: "subscribed to" in self.log()[offset:], timeout=30, what=f"{self.args[-1]} to subscribe"
        )
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def terminate(self, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
