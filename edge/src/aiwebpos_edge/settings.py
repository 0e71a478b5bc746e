"""Node settings: flags, then AIWEBPOS_* environment variables, then a TOML file, then defaults.

These are the machine's settings. Business settings (discount limits, cash rounding, VAT rates) live in
the database, where HQ commands can change them.
"""

import os
import tomllib
from pathlib import Path
from typing import Any

import msgspec

from aiwebpos_edge.devices.config import DevicesConfig

CONFIG_FILE = "node.toml"


class NodeSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    data_dir: str
    host: str = "127.0.0.1"
    port: int = 8000
    mqtt_url: str | None = None
    mqtt_ca_file: str | None = None
    mqtt_window: int = 100
    mqtt_keepalive_seconds: int = 15
    timezone: str = "Africa/Maseru"
    token_ttl_minutes: int = 12 * 60
    idle_timeout_minutes: int = 15
    login_max_failures: int = 5
    login_lockout_minutes: int = 5
    log_level: str = "info"
    # Model releases: the Ed25519 public key (base64 of its raw 32 bytes) that signs them. None: the node
    # accepts no release and says so in its status.
    model_public_key: str | None = None
    model_max_bytes: int = 50_000_000  # a bigger artifact is refused before it fills an SD card
    model_download_timeout_seconds: float = 60.0
    model_retry_seconds: float = 30.0  # a failed download is tried again after this, then twice as long, …
    # A completed sale or closed shift waits at most this long for its local fraud score before its
    # event leaves for the cloud unscored (the till never waits: it has its answer already).
    fraud_hold_seconds: float = 10.0
    devices: DevicesConfig = msgspec.field(default_factory=DevicesConfig)

    @property
    def db_path(self) -> Path:
        return Path(self.data_dir) / "store.db"

    @property
    def secret_path(self) -> Path:
        return Path(self.data_dir) / "secret.key"


class SettingsError(ValueError):
    pass


def load_settings(data_dir: str | Path, **flags: Any) -> NodeSettings:
    """Merge the sources in order of precedence and validate the result."""
    values: dict[str, Any] = {}
    config_file = Path(os.environ.get("AIWEBPOS_CONFIG", Path(data_dir) / CONFIG_FILE))
    if config_file.exists():
        try:
            values.update(tomllib.loads(config_file.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"{config_file} is not valid TOML: {exc}") from exc
    for field in msgspec.structs.fields(NodeSettings):
        env = os.environ.get(f"AIWEBPOS_{field.name.upper()}")
        if env is not None:
            values[field.name] = env
    values.update({k: v for k, v in flags.items() if v is not None})
    values["data_dir"] = str(data_dir)
    try:
        return msgspec.convert(values, NodeSettings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"bad setting: {exc}") from exc
