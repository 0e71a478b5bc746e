"""HTTP of local scoring: which models the node scores with (an empty list until one is loaded)."""

import msgspec
from litestar import Controller, get

from aiwebpos_edge.node import NodeDep


class LoadedModel(msgspec.Struct, kw_only=True):
    name: str
    version: str
    sha256: str
    loaded_at: str


class ModelController(Controller):
    path = "/api/v1/models"

    @get("/", opt={"permission": "models.read"})
    async def loaded(self, node: NodeDep) -> list[LoadedModel]:
        return [
            LoadedModel(name=m.name, version=m.version, sha256=m.sha256, loaded_at=m.loaded_at)
            for m in node.models.loaded()
        ]
