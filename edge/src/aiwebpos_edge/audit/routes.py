"""HTTP of the audit log: read it, and check its chain."""

import msgspec
from litestar import Controller, get
from litestar.params import FromQuery

from aiwebpos_edge.audit import store
from aiwebpos_edge.audit.chain import ChainReport, verify_chain
from aiwebpos_edge.node import NodeDep


class AuditEntryOut(msgspec.Struct, kw_only=True):
    id: int
    at: str
    action: str
    actor: str | None
    terminal_id: str | None
    details: dict[str, object]
    hash: str


class AuditController(Controller):
    path = "/api/v1/audit"

    @get("/", opt={"permission": "audit.read"})
    async def entries(
        self,
        node: NodeDep,
        after_id: FromQuery[int] = 0,
        limit: FromQuery[int] = 100,
        action: FromQuery[str | None] = None,
    ) -> list[AuditEntryOut]:
        rows = await node.read(
            lambda conn: store.list_entries(
                conn, after_id=after_id, limit=max(1, min(limit, 1000)), action=action
            )
        )
        return [
            AuditEntryOut(
                id=e.id,
                at=e.at,
                action=e.action,
                actor=e.actor,
                terminal_id=e.terminal_id,
                details=e.details,
                hash=e.hash,
            )
            for e in rows
        ]

    @get("/verify", opt={"permission": "audit.read"})
    async def verify(self, node: NodeDep) -> ChainReport:
        return await node.read(lambda conn: verify_chain(store.iter_entries(conn), store.head(conn)))
