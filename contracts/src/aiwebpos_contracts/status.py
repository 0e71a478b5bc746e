"""The retained status of a store node (`aiwebpos/v1/stores/{store_id}/status`), also its Last Will."""

from typing import Any

import msgspec


class ModelVersion(msgspec.Struct, kw_only=True):
    name: str
    version: str
    sha256: str


class StoreStatus(msgspec.Struct, kw_only=True):
    store_id: str
    online: bool
    at: str | None = None
    outbox_pending: int | None = None
    last_seq: int | None = None
    last_published_seq: int | None = None
    software_version: str | None = None
    models: list[ModelVersion] = []
    devices: dict[str, Any] = {}
