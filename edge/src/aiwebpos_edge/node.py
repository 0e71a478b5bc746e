"""The running node's parts, built once by the app factory and handed to every route handler."""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from aiwebpos_contracts.status import DeviceHealth
from aiwebpos_edge.auth.service import LoginPolicy
from aiwebpos_edge.auth.sessions import SessionRegistry
from aiwebpos_edge.auth.tokens import TokenClaims
from aiwebpos_edge.clock import Clock
from aiwebpos_edge.db.database import Database
from aiwebpos_edge.devices.manager import Devices
from aiwebpos_edge.scoring.bundles import FRAUD
from aiwebpos_edge.scoring.demand_planner import DemandPlanner
from aiwebpos_edge.scoring.registry import ModelRegistry
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.tx import Actor, Tx

T = TypeVar("T")


class SyncLink(Protocol):
    """What the rest of the node may know of the link to the cloud."""

    @property
    def connected(self) -> bool: ...


@dataclass
class Node:
    settings: NodeSettings
    db: Database
    clock: Clock
    store_id: str
    secret: bytes
    sessions: SessionRegistry
    devices: Devices
    sync: SyncLink | None = None
    models: ModelRegistry = field(default_factory=ModelRegistry)  # what local scoring uses, swapped whole
    wake_scorer: Callable[[], None] | None = None  # set once the fraud scorer runs
    planner: DemandPlanner = field(default_factory=DemandPlanner)  # today's forecast, made once a day

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @property
    def login_policy(self) -> LoginPolicy:
        return LoginPolicy(
            secret=self.secret,
            token_ttl=timedelta(minutes=self.settings.token_ttl_minutes),
            max_failures=self.settings.login_max_failures,
            lockout=timedelta(minutes=self.settings.login_lockout_minutes),
        )

    def device_health(self) -> dict[str, DeviceHealth]:
        return self.devices.health()

    async def write(self, operation: Callable[[Tx], T]) -> T:
        """Run one business operation as one durable transaction in the writer thread."""
        now, store_id, timezone = self.clock.now(), self.store_id, self.timezone
        hooks: list[Callable[[], None]] = []
        # Hold events for a fraud score only when a model will give one.
        hold = self.settings.fraud_hold_seconds if self.wake_scorer and self.models.get(FRAUD) else None
        wake = self.wake_scorer
        result = await self.db.write(
            lambda conn: operation(
                Tx(conn, now, store_id, timezone, hooks, score_hold_s=hold, wake_scorer=wake)
            )
        )
        for hook in hooks:
            hook()
        return result

    async def read(self, query: Callable[[sqlite3.Connection], T]) -> T:
        return await self.db.read(query)

    async def read_tx(self, query: Callable[[Tx], T]) -> T:
        """A read that needs the moment and store (reports, receipts): a Tx on a read-only connection."""
        now, store_id, timezone = self.clock.now(), self.store_id, self.timezone
        return await self.db.read(lambda conn: query(Tx(conn, now, store_id, timezone)))


# What route handlers declare to receive the node (Litestar injects it by the parameter name `node`).
NodeDep = NamedDependency[Node]
# What route handlers declare to know who is acting (the bearer middleware fills user and auth).
ActorRequest = Request[Actor, TokenClaims, State]
