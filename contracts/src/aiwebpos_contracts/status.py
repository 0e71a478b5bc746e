"""The retained status of a store node (`aiwebpos/v1/stores/{store_id}/status`), also its Last Will."""

import msgspec


class ModelVersion(msgspec.Struct, kw_only=True):
    name: str
    version: str
    sha256: str


class ModelProblem(msgspec.Struct, kw_only=True):
    """A model release the node refused (unsigned, tampered, too large, unknown format, failing to load):
    it keeps scoring with the model it had."""

    name: str
    version: str
    reason: str
    at: str  # when it was refused (UTC, ISO 8601)


class DeviceHealth(msgspec.Struct, kw_only=True):
    """One peripheral of the node, as the till, the status message and HQ see it."""

    kind: str  # "printer" | "scanner" | "scale" | "display"
    terminal_id: str | None = None
    connected: bool
    state: str  # "ok", or what is wrong: "offline", "paper_out", "cover_open", "error", ...
    detail: str | None = None  # the human-readable reason when state is not "ok"
    since: str | None = None  # when it entered this state (UTC, ISO 8601)
    queued_jobs: int | None = None  # printers: print jobs waiting


class StoreStatus(msgspec.Struct, kw_only=True):
    store_id: str
    online: bool
    at: str | None = None
    outbox_pending: int | None = None
    last_seq: int | None = None
    last_published_seq: int | None = None
    # Events the broker refused (PUBACK reason >= 0x80): they stay in the outbox, unsent.
    publish_refused: int = 0
    software_version: str | None = None
    models: list[ModelVersion] = []
    model_problems: list[ModelProblem] = []  # the last refused release of each model, if any
    devices: dict[str, DeviceHealth] = {}  # by device name, e.g. "printer-front", "scanner-T1"
