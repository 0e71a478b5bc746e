"""`AIWEBPOS_MQTT_URL` (CONTRACTS.md §1): mqtt://user:password@host:port, or mqtts:// for TLS."""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class MqttTarget:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None


def parse_mqtt_url(url: str) -> MqttTarget:
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts"):
        raise ValueError(f"{url!r} is not an MQTT URL: use mqtt://user:password@host:1883 or mqtts://…:8883")
    if not parts.hostname:
        raise ValueError(f"{url!r} names no broker host")
    tls = parts.scheme == "mqtts"
    try:
        port = parts.port or (8883 if tls else 1883)
    except ValueError as exc:
        raise ValueError(f"{url!r} has a bad port") from exc
    return MqttTarget(
        host=parts.hostname,
        port=port,
        tls=tls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )
