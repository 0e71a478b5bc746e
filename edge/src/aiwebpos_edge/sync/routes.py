"""HTTP of sync: how far the outbox has been published. The publisher comes with the MQTT issue;
until it runs, `connected` is false and every event waits in the outbox."""

import msgspec
from litestar import Controller, get

from aiwebpos_edge.node import NodeDep
from aiwebpos_edge.sync.outbox import outbox_status


class SyncStatus(msgspec.Struct, kw_only=True):
    connected: bool
    outbox_pending: int
    last_published_seq: int | None
    last_published_at: str | None
    last_seq: int


class SyncController(Controller):
    path = "/api/v1/sync"

    @get("/status", opt={"permission": "sync.read"})
    async def status(self, node: NodeDep) -> SyncStatus:
        status = await node.read(outbox_status)
        return SyncStatus(connected=False, **status)
