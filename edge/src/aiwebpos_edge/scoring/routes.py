"""HTTP of local scoring: the models the node scores with, and the fraud scores a manager reviews."""

from datetime import timedelta
from functools import partial
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter

from aiwebpos_edge.clock import iso
from aiwebpos_edge.node import NodeDep
from aiwebpos_edge.scoring import fraud_store


class LoadedModel(msgspec.Struct, kw_only=True):
    name: str
    version: str
    sha256: str
    loaded_at: str


class FraudScoreRow(msgspec.Struct, kw_only=True):
    kind: Literal["sale", "return", "shift"]
    ref: str  # receipt number, credit note number or shift id
    shift_id: str | None
    terminal_id: str | None
    cashier: str
    occurred_at: str
    total_cents: int
    status: Literal["pending", "scored", "unscored"]
    score: float | None
    reasons: list[str]
    model_version: str | None
    scored_at: str | None


class ModelController(Controller):
    path = "/api/v1/models"

    @get("/", opt={"permission": "models.read"})
    async def loaded(self, node: NodeDep) -> list[LoadedModel]:
        return [
            LoadedModel(name=m.name, version=m.version, sha256=m.sha256, loaded_at=m.loaded_at)
            for m in node.models.loaded()
        ]


class FraudController(Controller):
    path = "/api/v1/fraud"

    @get("/scores", opt={"permission": "fraud.read"})
    async def scores(
        self,
        node: NodeDep,
        hours: Annotated[int, QueryParameter(ge=1, le=24 * 93, description="how far back to look")] = 24,
        min_score: Annotated[float, QueryParameter(ge=0.0, le=1.0)] = 0.0,
        kind: FromQuery[Literal["sale", "return", "shift"] | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[FraudScoreRow]:
        """Sales, returns and closed shifts with their local fraud score and reasons, highest first."""
        since = iso(node.clock.now() - timedelta(hours=hours))
        rows: list[dict[str, Any]] = await node.read(
            partial(fraud_store.recent, since=since, min_score=min_score, kind=kind, limit=limit)
        )
        return [msgspec.convert(row, FraudScoreRow) for row in rows]
