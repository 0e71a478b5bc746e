"""Raw paho-mqtt at QoS 1, nothing else in the way: the yardstick of the node's drain and the ingest's feed.

`publish(...)` runs a publisher in its own process (`python -m bench.mqtt_load SPEC`), so that it does not
share a GIL with the subscriber or the benchmark: one paho client per store user (each logged in as that
store, as the node is), `window` messages in flight per client, counted off by a semaphore the PUBACK
callback releases (handing paho thousands of messages at once is slower: it rescans its in-flight list on
every ack). It reports when it sent the first message and when the last PUBACK came, in `time.time()`, so
the times compare across processes. `Collector` is a plain QoS 1 subscriber that counts what arrives.
"""

import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import msgspec
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from devkit.mosquitto import MosquittoBroker

NO_MATCHING_SUBSCRIBERS = 16
Message = tuple[str, str, bytes]  # (store user, topic, payload)


class PublishSpec(msgspec.Struct, kw_only=True):
    host: str
    port: int
    passwords: dict[str, str]
    messages_file: str
    window: int = 100


class PublishResult(msgspec.Struct, kw_only=True):
    published: int
    first_sent_at: float
    last_puback_at: float
    refused: int  # PUBACKs with a failure reason
    unrouted: int  # PUBACK reason 16: the broker took it, nobody subscribed
    cpu_s: float  # from the first PUBLISH to the last PUBACK
    process_cpu_s: float = 0.0  # the whole publisher process, its start and reading the messages too

    @property
    def seconds(self) -> float:
        return self.last_puback_at - self.first_sent_at


def _client(spec: PublishSpec, user: str, window: int) -> tuple[mqtt.Client, threading.Semaphore]:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{user}", protocol=mqtt.MQTTv5)
    client.username_pw_set(user, spec.passwords[user])
    client.max_inflight_messages_set(window)
    connected = threading.Event()
    client.on_connect = lambda *args: connected.set()
    client.connect(spec.host, spec.port, keepalive=30, clean_start=True)
    client.loop_start()
    if not connected.wait(10):
        raise RuntimeError(f"{user} could not connect to the broker")
    return client, threading.Semaphore(window)


def run_publisher(spec: PublishSpec) -> PublishResult:
    messages = msgspec.msgpack.decode(Path(spec.messages_file).read_bytes(), type=list[Message])
    users = sorted({user for user, _, _ in messages})
    clients = {user: _client(spec, user, spec.window) for user in users}
    done = threading.Event()
    state = {"acked": 0, "refused": 0, "unrouted": 0, "last": 0.0}
    lock = threading.Lock()

    def on_publish(client: mqtt.Client, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        with lock:
            state["acked"] += 1
            state["last"] = time.time()
            if reason is not None and reason.value == NO_MATCHING_SUBSCRIBERS:
                state["unrouted"] += 1
            elif reason is not None and reason.is_failure:
                state["refused"] += 1
            if state["acked"] == len(messages):
                done.set()
        userdata.release()

    for client, window in clients.values():
        client.user_data_set(window)
        client.on_publish = on_publish
    cpu0, first = time.process_time(), time.time()
    for user, topic, payload in messages:
        client, window = clients[user]
        window.acquire()
        info = client.publish(topic, payload, qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            raise RuntimeError(f"paho refused to publish on {topic}: {mqtt.error_string(info.rc)}")
    if not done.wait(120):
        raise RuntimeError(f"only {state['acked']} of {len(messages)} PUBACKs came back")
    cpu = time.process_time() - cpu0
    for client, _ in clients.values():
        client.disconnect()
        client.loop_stop()
    return PublishResult(
        published=len(messages),
        first_sent_at=first,
        last_puback_at=state["last"],
        refused=int(state["refused"]),
        unrouted=int(state["unrouted"]),
        cpu_s=cpu,
    )


def write_messages(path: Path, messages: list[Message]) -> Path:
    """The messages as the publisher process reads them (written once, published in every run)."""
    path.write_bytes(msgspec.msgpack.encode(messages))
    return path


def publish(broker: MosquittoBroker, messages_file: Path, window: int = 100) -> PublishResult:
    """Publish the messages of `messages_file` from a process of its own; returns once every PUBACK is in."""
    spec = PublishSpec(
        host=broker.host,
        port=broker.port,
        passwords=broker.users,
        messages_file=str(messages_file),
        window=window,
    )
    spec_file = broker.directory / "publish.json"
    spec_file.write_bytes(msgspec.json.encode(spec))
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "bench.mqtt_load", str(spec_file)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the raw publisher failed:\n{done.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = msgspec.json.decode(done.stdout, type=PublishResult)
    result.process_cpu_s = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    return result


class Collector:
    """A plain QoS 1 subscriber (auto-acknowledging, clean session) that notes when the last one arrived."""

    def __init__(self, broker: MosquittoBroker, user: str, topic: str, expected: int) -> None:
        self.expected, self.count, self.last_at = expected, 0, 0.0
        self.done = threading.Event()
        subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"bench-sub-{user}", protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set(user, broker.users[user])
        self.client.on_connect = lambda client, *args: client.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *args: subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect(broker.host, broker.port, keepalive=30, clean_start=True)
        self.client.loop_start()
        if not subscribed.wait(10):
            raise RuntimeError(f"{user} could not subscribe to {topic}")

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self.count += 1
        self.last_at = time.time()
        if self.count >= self.expected:
            self.done.set()

    def wait(self, timeout: float = 120) -> float:
        """When the last expected message arrived (time.time())."""
        if not self.done.wait(timeout):
            raise RuntimeError(f"the subscriber received {self.count} of {self.expected} messages")
        return self.last_at

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def publish_to_subscriber(
    broker: MosquittoBroker, messages_file: Path, topic: str, expected: int
) -> tuple[PublishResult, float]:
    """The raw yardstick: the messages published to a plain subscriber of `topic` logged in as the ingest;
    what the publisher saw, and when the last message arrived (time.time())."""
    subscriber = Collector(broker, "aiwebpos-ingest", topic, expected)
    try:
        sent = publish(broker, messages_file)
        return sent, subscriber.wait()
    finally:
        subscriber.close()


def main(argv: list[str]) -> int:
    spec = msgspec.json.decode(Path(argv[0]).read_bytes(), type=PublishSpec)
    sys.stdout.write(json.dumps(msgspec.to_builtins(run_publisher(spec))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
