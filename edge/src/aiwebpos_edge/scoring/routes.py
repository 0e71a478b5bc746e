"""HTTP of local scoring. Signed model delivery comes with its own issue; until a model is loaded the
node scores with none and says so with an empty list."""

import msgspec
from litestar import Controller, get


class LoadedModel(msgspec.Struct, kw_only=True):
    name: str
    version: str
    sha256: str
    loaded_at: str


class ModelController(Controller):
    path = "/api/v1/models"

    @get("/", opt={"permission": "models.read"})
    async def loaded(self) -> list[LoadedModel]:
        return []
