"""A real node process driving pseudo-terminal scanners, scales and pole displays (devkit's
simulators of each device's side) and a network receipt printer: what reaches the till, the
customer, the API and HQ's status message."""

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
from catalog_codes import COKE_2L, MILK_1L
from device_rig import Rig, RunningNode, start_node
from edge_support import USERS

from aiwebpos_edge.settings import NodeSettings
from devkit.mosquitto import MosquittoBroker
from devkit.mqtt import MqttPeer
from devkit.serial_sim import wait_until


@pytest.fixture
def node(node_settings: NodeSettings, demo_catalog: None, rig: Rig) -> Iterator[RunningNode]:
    store = start_node(node_settings, rig)
    yield store
    store.stop()


class Till:
    def __init__(self, node: RunningNode) -> None:
        self.http = httpx.Client(base_url=node.url, timeout=10)
        token = self.http.post("/api/v1/auth/pin", json={"terminal_id": "T1", "pin": USERS["cashier"][1]})
        self.http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        shift = self.http.post("/api/v1/shifts", json={"terminal_id": "T1", "opening_float_cents": 50_000})
        self.shift = shift.json()["id"]

    def new_sale(self) -> str:
        sale = self.http.post("/api/v1/sales", json={"terminal_id": "T1", "shift_id": self.shift})
        return str(sale.json()["id"])

    def devices(self) -> dict[str, Any]:
        return dict(self.http.get("/api/v1/devices").json()["devices"])

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def till(node: RunningNode) -> Iterator[Till]:
    t = Till(node)
    yield t
    t.close()


def healthy(till: Till, name: str, state: str = "ok") -> None:
    wait_until(lambda: till.devices().get(name, {}).get("state") == state, 10.0, f"{name} {state}")


def test_a_serial_scan_reaches_the_till_of_its_terminal_as_an_event(
    node: RunningNode, rig: Rig, till: Till
) -> None:
    healthy(till, "scanner-T1")
    events: list[dict[str, Any]] = []

    def listen() -> None:
        url = f"{node.url}/api/v1/devices/events?terminal_id=T1"
        with httpx.stream("GET", url, headers=dict(till.http.headers), timeout=20) as answer:
            for line in answer.iter_lines():
                if line.startswith("data: "):
                    events.append(json.loads(line[6:]))
                    if events[-1]["type"] == "scan":
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    wait_until(lambda: bool(events), 10.0, "the first event (device health)")
    assert events[0]["type"] == "devices" and events[0]["devices"]["scanner-T1"]["state"] == "ok"
    rig.scanner.scan(MILK_1L)
    listener.join(10)
    assert events[-1] == {"type": "scan", "terminal_id": "T1", "code": MILK_1L, "devices": None}


def test_weighed_items_take_a_stable_weight_from_the_scale_and_nothing_else(rig: Rig, till: Till) -> None:
    healthy(till, "scale-T1")
    sale = till.new_sale()
    rig.scale.set_weight("1.250")
    answer = till.http.post(f"/api/v1/sales/{sale}/lines", json={"sku": "POTATO-KG", "weigh": True})
    assert answer.status_code == 200, answer.text
    line = answer.json()["lines"][-1]
    assert (line["quantity"], line["total_cents"]) == ("1.250", 1874)  # M14.99/kg × 1.250, rounded half up

    for setting, words in [
        (rig.scale.set_motion, "steady"),
        (rig.scale.set_overload, "too heavy"),
        (lambda: rig.scale.set_weight("0.000"), "place the item on it"),
    ]:
        setting()
        refused = till.http.post(f"/api/v1/sales/{sale}/lines", json={"sku": "POTATO-KG", "weigh": True})
        assert refused.status_code == 409, refused.text
        assert words in refused.json()["detail"].lower()
    both = till.http.post(
        f"/api/v1/sales/{sale}/lines", json={"sku": "POTATO-KG", "weigh": True, "quantity": "1"}
    )
    assert both.status_code == 422
    assert len(till.http.get(f"/api/v1/sales/{sale}").json()["lines"]) == 1  # nothing else was added

    rig.scale.unplug()
    healthy(till, "scale-T1", "offline")
    offline = till.http.post(f"/api/v1/sales/{sale}/lines", json={"sku": "POTATO-KG", "weigh": True})
    assert offline.status_code == 409 and "scale" in offline.json()["detail"]


def test_the_pole_display_follows_the_sale_and_the_printer_prints_it(rig: Rig, till: Till) -> None:
    healthy(till, "display-T1")
    sale = till.new_sale()
    till.http.post(f"/api/v1/sales/{sale}/lines", json={"barcode": COKE_2L})
    rig.display.wait_for("Coca-Cola 2 L M27.99", "TOTAL         M27.99")
    answer = till.http.post(f"/api/v1/sales/{sale}/payments", json={"method": "cash", "amount_cents": 5_000})
    assert answer.status_code == 200
    receipt = till.http.post(f"/api/v1/sales/{sale}/complete", json={}).json()
    rig.display.wait_for("PAID          M50.00", "CHANGE        M22.01")
    [page] = rig.printer.wait_for_pages(1)
    assert receipt["receipt_no"] in page.text and page.drawer_kicks == [2]


def test_unplugging_and_replugging_is_seen_by_the_api(rig: Rig, till: Till) -> None:
    healthy(till, "scanner-T1")
    rig.scanner.unplug()
    healthy(till, "scanner-T1", "offline")
    assert till.devices()["scanner-T1"]["connected"] is False
    rig.scanner.replug()
    healthy(till, "scanner-T1")


def test_hq_sees_device_health_in_the_status_message(
    node_settings: NodeSettings, demo_catalog: None, rig: Rig, broker: MosquittoBroker
) -> None:
    node = start_node(node_settings, rig, broker.url("MSU-01"))
    watcher = MqttPeer(broker, "aiwebpos-hq", ["aiwebpos/v1/stores/MSU-01/status"])
    try:

        def last_devices() -> dict[str, Any]:
            if not watcher.messages:
                return {}
            return dict(msgspec.json.decode(watcher.messages[-1].payload)["devices"])

        watcher.wait_for(
            lambda: last_devices().get("scanner-T1", {}).get("state") == "ok", 15, what="scanner ok"
        )
        started = time.monotonic()
        rig.scanner.unplug()
        watcher.wait_for(
            lambda: last_devices().get("scanner-T1", {}).get("state") == "offline", 15, what="scanner offline"
        )
        assert time.monotonic() - started < 10  # at once, not at the next 30 s status
        assert last_devices()["scale-T1"]["kind"] == "scale"
    finally:
        watcher.close()
        node.stop()
