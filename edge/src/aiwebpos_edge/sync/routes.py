"""HTTP of sync: is the node connected to the cloud broker, and how far has the outbox been published."""

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
        return SyncStatus(connected=node.sync is not None and node.sync.connected, **status)
