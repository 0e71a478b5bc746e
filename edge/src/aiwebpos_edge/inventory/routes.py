"""HTTP of stock: parse, authorise, call the service, answer."""

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from aiwebpos_edge.inventory import service
from aiwebpos_edge.node import ActorRequest, NodeDep


class StockController(Controller):
    path = "/api/v1/stock"

    @post("/adjustments", opt={"permission": "stock.adjust"}, status_code=HTTP_201_CREATED)
    async def adjust(
        self,
        request: ActorRequest,
        node: NodeDep,
        data: JSONBody[service.StockAdjustment],
    ) -> service.AdjustmentOut:
        return await node.write(lambda tx: service.adjust_stock(tx, request.user, data))

    @get("/{sku:str}", opt={"permission": "stock.read"})
    async def show(self, node: NodeDep, sku: FromPath[str]) -> service.StockOut:
        return await node.read_tx(lambda tx: service.stock_of(tx, sku))
