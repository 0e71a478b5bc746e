"""The fleet: every store node, online or not, how far behind, what it runs, what is wrong with it, and
which of its events never reached the lakehouse."""

from typing import Any

import msgspec
from litestar import Controller, get
from litestar.datastructures import State

from aiwebpos_cloud.hq.fleet.gaps import GapWatch
from aiwebpos_cloud.hq.fleet.store import all_stores
from aiwebpos_cloud.hq.state import HqDep
from aiwebpos_cloud.lakehouse.query import SeqGap


class DeviceProblem(msgspec.Struct, kw_only=True):
    name: str
    state: str
    detail: str | None


class GapOut(msgspec.Struct, kw_only=True):
    first_missing: int
    last_missing: int
    missing: int


class FleetStore(msgspec.Struct, kw_only=True):
    store_id: str
    online: bool
    last_seen: str | None  # the last moment the store said it was online
    status_at: str | None  # when the store sent its last status
    outbox_pending: int | None  # events waiting to reach the cloud
    last_seq: int | None
    software_version: str | None
    models: list[dict[str, Any]]
    model_problems: list[dict[str, Any]]
    devices: int
    device_problems: list[DeviceProblem]
    publish_refused: int
    # Ranges of seq the store sent that the lakehouse lacks (last 30 days); None: HQ has no lakehouse.
    seq_gaps: list[GapOut] | None = None
    missing_events: int | None = None


def _fleet_row(
    store_id: str, online: bool, status: dict[str, Any], last_online_at: str | None, gaps: list[SeqGap] | None
) -> FleetStore:
    devices: dict[str, dict[str, Any]] = status.get("devices") or {}
    return FleetStore(
        store_id=store_id,
        online=online,
        last_seen=last_online_at,
        status_at=status.get("at"),
        outbox_pending=status.get("outbox_pending"),
        last_seq=status.get("last_seq"),
        software_version=status.get("software_version"),
        models=status.get("models") or [],
        model_problems=status.get("model_problems") or [],
        devices=len(devices),
        device_problems=[
            DeviceProblem(name=name, state=d.get("state", "?"), detail=d.get("detail"))
            for name, d in sorted(devices.items())
            if d.get("state") != "ok"
        ],
        publish_refused=int(status.get("publish_refused") or 0),
        seq_gaps=None
        if gaps is None
        else [
            GapOut(first_missing=g.first_missing, last_missing=g.last_missing, missing=g.missing)
            for g in gaps
        ],
        missing_events=None if gaps is None else sum(g.missing for g in gaps),
    )


class FleetController(Controller):
    path = "/api/v1/fleet"

    @get("/", opt={"permission": "fleet.read"})
    async def fleet(self, hq: HqDep, state: State) -> list[FleetStore]:
        watch: GapWatch | None = state.gaps
        gaps = await watch.by_store() if watch is not None else None
        async with hq.sessions() as session:
            return [
                _fleet_row(
                    s.store_id,
                    s.online,
                    s.status,
                    s.last_online_at,
                    None if gaps is None else gaps.get(s.store_id, []),
                )
                for s in await all_stores(session)
            ]
