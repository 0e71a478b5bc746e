"""HTTP of returns."""

from litestar import Controller, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from aiwebpos_contracts.receipts import Receipt
from aiwebpos_edge.node import ActorRequest, NodeDep
from aiwebpos_edge.returns import service
from aiwebpos_edge.returns.models import NewReturn


class ReturnController(Controller):
    path = "/api/v1/returns"

    @post("/", opt={"permission": "returns.create"}, status_code=HTTP_201_CREATED)
    async def create(self, request: ActorRequest, node: NodeDep, data: JSONBody[NewReturn]) -> Receipt:
        """Return lines of a receipt; the answer is the refund receipt (a credit note, negative amounts)."""
        return await node.write(
            lambda tx: node.devices.queue_receipt(
                tx, service.create_return(tx, node.secret, request.user, data)
            )
        )
