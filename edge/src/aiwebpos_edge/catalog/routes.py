"""HTTP of the catalog."""

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from aiwebpos_edge.catalog import service
from aiwebpos_edge.catalog.models import NewProduct, Product, ProductChange
from aiwebpos_edge.node import ActorRequest, NodeDep


class ProductController(Controller):
    path = "/api/v1/products"

    @post("/", opt={"permission": "catalog.write"}, status_code=HTTP_201_CREATED)
    async def create(self, request: ActorRequest, node: NodeDep, data: JSONBody[NewProduct]) -> Product:
        return await node.write(lambda tx: service.create_product(tx, request.user, data))

    @get("/", opt={"permission": "catalog.read"})
    async def find(
        self,
        node: NodeDep,
        barcode: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        include_inactive: FromQuery[bool] = False,
    ) -> list[Product]:
        """By barcode (`?barcode=`), by words of the name, SKU or category (`?q=`), or the first by name."""
        if barcode is not None:
            code = barcode
            return await node.read_tx(lambda tx: service.find_by_barcode(tx, code))
        return await node.read_tx(lambda tx: service.search(tx, q, limit, include_inactive))

    @get("/{sku:str}", opt={"permission": "catalog.read"})
    async def show(self, node: NodeDep, sku: FromPath[str]) -> Product:
        return await node.read_tx(lambda tx: service.product_by_sku(tx, sku))

    @patch("/{sku:str}", opt={"permission": "catalog.write"})
    async def change(
        self,
        request: ActorRequest,
        node: NodeDep,
        sku: FromPath[str],
        data: JSONBody[ProductChange],
    ) -> Product:
        return await node.write(lambda tx: service.change_product(tx, request.user, sku, data))
