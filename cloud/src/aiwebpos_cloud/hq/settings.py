"""HQ's settings: flags, then AIWEBPOS_HQ_* environment variables, then defaults.

The database is SQLite in the data directory unless `database_url` names another (PostgreSQL:
`postgresql+asyncpg://user@host/db`); the migrations are the same for both.
"""

import os
from pathlib import Path
from typing import Any

import msgspec


class HqSettings(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    data_dir: str
    database_url: str | None = None
    lakehouse: str | None = None
    mqtt_url: str | None = None  # the broker as aiwebpos-hq: store status, command results, commands
    mqtt_ca_file: str | None = None
    host: str = "127.0.0.1"
    port: int = 8100
    token_ttl_minutes: int = 12 * 60
    # How often `hq serve` refreshes the dashboards' rollups (0: never; `hq rollups` from a timer does).
    rollup_minutes: float = 60

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{Path(self.data_dir).resolve() / 'hq.db'}"

    @property
    def secret_path(self) -> Path:
        return Path(self.data_dir) / "secret.key"


class HqSettingsError(ValueError):
    pass


def load_hq_settings(data_dir: str | Path, **flags: Any) -> HqSettings:
    values: dict[str, Any] = {}
    for field in msgspec.structs.fields(HqSettings):
        env = os.environ.get(f"AIWEBPOS_HQ_{field.name.upper()}")
        if env is not None:
            values[field.name] = env
    values.update({k: v for k, v in flags.items() if v is not None})
    values["data_dir"] = str(data_dir)
    try:
        return msgspec.convert(values, HqSettings, strict=False)
    except msgspec.ValidationError as exc:
        raise HqSettingsError(f"bad HQ setting: {exc}") from exc
