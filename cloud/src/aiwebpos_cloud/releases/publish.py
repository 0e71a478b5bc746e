"""Announce a release: retained, QoS 1, on `aiwebpos/v1/models/{name}`, as a user allowed to (aiwebpos-hq).

Retained, so a store that connects later (or comes back after a week offline) still learns the current
release at once. We wait for the PUBACK and read its reason code: under MQTT 5 Mosquitto answers a
publish its ACL refuses with "Not authorized" instead of dropping it silently, and a release that was
not taken must not be recorded as published.
"""

import ssl
import threading
import warnings
from typing import Any

import msgspec
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from aiwebpos_contracts.mqtt_url import parse_mqtt_url
from aiwebpos_contracts.releases import ModelRelease
from aiwebpos_contracts.topics import model_topic


class PublishError(RuntimeError):
    """The broker could not be reached, refused the login, or refused the release."""


def publish_release(
    release: ModelRelease, mqtt_url: str, ca_file: str | None = None, timeout: float = 15
) -> None:
    target = parse_mqtt_url(mqtt_url)
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    if target.username is not None:
        client.username_pw_set(target.username, target.password)
    if target.tls:
        client.tls_set(ca_certs=ca_file, cert_reqs=ssl.CERT_REQUIRED)
    connected = threading.Event()
    acknowledged = threading.Event()
    outcome: dict[str, ReasonCode] = {}

    def on_connect(client: mqtt.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        outcome["connect"] = reason
        connected.set()

    def on_publish(client: mqtt.Client, userdata: Any, mid: int, reason: ReasonCode, props: Any) -> None:
        outcome["publish"] = reason
        acknowledged.set()

    client.on_connect = on_connect
    client.on_publish = on_publish
    where = f"{target.host}:{target.port}"
    refused = ""
    # paho drops the socket of a failed TLS handshake without closing it; it is freed with the exception
    # at the end of the except block: quietly, rather than as a ResourceWarning.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            client.connect(target.host, target.port, keepalive=30)
        except OSError as exc:
            refused = str(exc)
    if refused:
        raise PublishError(f"cannot reach the broker at {where}: {refused}")
    client.loop_start()
    try:
        if not connected.wait(timeout):
            raise PublishError(f"the broker at {where} did not answer the login within {timeout:.0f} s")
        if outcome["connect"].is_failure:
            raise PublishError(
                f"the broker at {where} refused the login as {target.username}: {outcome['connect']} "
                "(check the user and password in the MQTT URL)"
            )
        client.publish(model_topic(release.name), msgspec.json.encode(release), qos=1, retain=True)
        if not acknowledged.wait(timeout):
            raise PublishError(
                f"the broker at {where} did not acknowledge the release within {timeout:.0f} s"
            )
        if outcome["publish"].is_failure:
            raise PublishError(
                f"the broker refused the release of {release.name} v{release.version}: {outcome['publish']} "
                f"(user {target.username} may not write {model_topic(release.name)}; publish as aiwebpos-hq)"
            )
    finally:
        client.disconnect()
        client.loop_stop()
