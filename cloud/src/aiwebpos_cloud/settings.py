"""Settings of the ingest: flags, then AIWEBPOS_* environment variables, then a TOML file, then defaults.

The TOML file is the one named by `--config` or `AIWEBPOS_CONFIG`, else `cloud.toml` in the lakehouse
directory when it exists. Every field below is also a variable: `mqtt_url` is `AIWEBPOS_MQTT_URL`.
"""

import os
import socket
import tomllib
from pathlib import Path
from typing import Any

import msgspec

from aiwebpos_contracts.mqtt_url import MqttTarget, parse_mqtt_url

CONFIG_FILE = "cloud.toml"
SHARE_GROUP = "aiwebpos-ingest"


class IngestSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    lakehouse: str
    mqtt_url: str = "mqtt://127.0.0.1:1883"
    mqtt_ca_file: str | None = None
    client_id: str = ""
    batch_size: int = 5000
    batch_seconds: float = 1.0
    receive_maximum: int = 0
    session_expiry_seconds: int = 7 * 24 * 3600
    keepalive_seconds: int = 30
    gap_check_seconds: float = 30.0
    derive: bool = True
    derive_seconds: float = 1.0
    derive_busy_seconds: float = 10.0
    log_level: str = "info"

    def __post_init__(self) -> None:
        if not self.client_id:
            self.client_id = f"aiwebpos-ingest-{socket.gethostname()}"
        if self.batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if self.batch_seconds <= 0:
            raise ValueError("batch_seconds must be more than 0")
        if self.derive_seconds <= 0 or self.derive_busy_seconds <= 0:
            raise ValueError("derive_seconds and derive_busy_seconds must be more than 0")
        if self.receive_maximum == 0:
            # Room for the batch being committed and the next one filling meanwhile (MQTT caps at 65535).
            self.receive_maximum = min(65_535, 2 * self.batch_size)
        if not 1 <= self.receive_maximum <= 65_535:
            raise ValueError("receive_maximum must be between 1 and 65535")
        parse_mqtt_url(self.mqtt_url)

    @property
    def broker(self) -> MqttTarget:
        return parse_mqtt_url(self.mqtt_url)

    @property
    def lakehouse_path(self) -> Path:
        return Path(self.lakehouse)


class SettingsError(ValueError):
    pass


def load_settings(lakehouse: str | Path, config: Path | None = None, **flags: Any) -> IngestSettings:
    """Merge the sources in order of precedence and validate the result."""
    values: dict[str, Any] = {}
    config_file = config or Path(os.environ.get("AIWEBPOS_CONFIG", Path(lakehouse) / CONFIG_FILE))
    if config is not None and not config.exists():
        raise SettingsError(f"settings file {config} does not exist")
    if config_file.exists():
        try:
            values.update(tomllib.loads(config_file.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{config_file} is not valid TOML: {exc}") from exc
    for field in msgspec.structs.fields(IngestSettings):
        env = os.environ.get(f"AIWEBPOS_{field.name.upper()}")
        if env is not None and field.name != "lakehouse":
            values[field.name] = env
    values.update({name: value for name, value in flags.items() if value is not None})
    values["lakehouse"] = str(lakehouse)
    try:
        return msgspec.convert(values, IngestSettings, strict=False)
    except (msgspec.ValidationError, ValueError) as exc:
        raise SettingsError(f"bad setting: {exc}") from exc
