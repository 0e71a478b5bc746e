"""HTTP of selling: thin handlers over sales.service and sales.checkout."""

import msgspec
from litestar import Controller, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from aiwebpos_contracts.receipts import Receipt
from aiwebpos_edge.errors import Conflict, Invalid
from aiwebpos_edge.node import ActorRequest, Node, NodeDep
from aiwebpos_edge.sales import checkout, service
from aiwebpos_edge.sales.models import (
    AddLine,
    CompleteSale,
    GiveDiscount,
    NewPayment,
    NewSale,
    OverridePrice,
    Reason,
    ResumeSale,
    SaleView,
    SetCustomer,
    VoidLine,
)
from aiwebpos_edge.sales.state import load_sale, sale_view
from aiwebpos_edge.sales.store import list_sales, terminal_of
from aiwebpos_edge.tx import Tx


async def weighed(node: Node, sale_id: str, data: AddLine) -> AddLine:
    """A weighed item takes its quantity from the sale's terminal's scale, and only a stable weight."""
    if data.quantity is not None:
        raise Invalid("give a quantity or ask to weigh, not both")
    terminal_id = await node.read(lambda conn: terminal_of(conn, sale_id))
    reading = await node.devices.weigh(terminal_id)
    if reading.state != "stable" or reading.weight_kg is None:
        raise Conflict(f"scale: {reading.detail}", scale_state=reading.state)
    return msgspec.structs.replace(data, quantity=reading.weight_kg, weigh=False)


SELL = {"permission": "sales.sell"}


class SaleController(Controller):
    path = "/api/v1/sales"

    @post("/", opt=SELL, status_code=HTTP_201_CREATED)
    async def open_sale(self, request: ActorRequest, node: NodeDep, data: JSONBody[NewSale]) -> SaleView:
        return await node.write(lambda tx: service.open_sale(tx, request.user, data))

    @get("/", opt={"permission": "sales.read"})
    async def list_sales(
        self,
        node: NodeDep,
        status: FromQuery[str | None] = None,
        terminal_id: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
    ) -> list[SaleView]:
        """Sales, newest first: `?status=suspended` lists the sales waiting to be resumed."""

        def query(tx: Tx) -> list[SaleView]:
            ids = list_sales(tx.conn, status=status, terminal_id=terminal_id, limit=max(1, min(limit, 200)))
            return [sale_view(load_sale(tx, i)) for i in ids]

        return await node.read_tx(query)

    @get("/{sale_id:str}", opt={"permission": "sales.read"})
    async def show(self, node: NodeDep, sale_id: FromPath[str]) -> SaleView:
        return await node.read_tx(lambda tx: sale_view(load_sale(tx, sale_id)))

    @post("/{sale_id:str}/lines", opt=SELL, status_code=HTTP_200_OK)
    async def add_line(
        self, request: ActorRequest, node: NodeDep, sale_id: FromPath[str], data: JSONBody[AddLine]
    ) -> SaleView:
        if data.weigh:
            data = await weighed(node, sale_id, data)
        view = await node.write(lambda tx: service.add_line(tx, request.user, sale_id, data))
        return node.devices.show_sale(view)

    @delete("/{sale_id:str}/lines/{line_id:int}", opt=SELL, status_code=HTTP_200_OK)
    async def void_line(
        self,
        request: ActorRequest,
        node: NodeDep,
        sale_id: FromPath[str],
        line_id: FromPath[int],
        data: JSONBody[VoidLine],
    ) -> SaleView:
        view = await node.write(
            lambda tx: service.void_line(
                tx, node.secret, request.user, sale_id, line_id, data.reason, data.approver_pin
            )
        )
        return node.devices.show_sale(view)

    @post("/{sale_id:str}/lines/{line_id:int}/discount", opt=SELL, status_code=HTTP_200_OK)
    async def discount_line(
        self,
        request: ActorRequest,
        node: NodeDep,
        sale_id: FromPath[str],
        line_id: FromPath[int],
        data: JSONBody[GiveDiscount],
    ) -> SaleView:
        return await node.write(
            lambda tx: service.discount_line(tx, node.secret, request.user, sale_id, line_id, data)
        )

    @post("/{sale_id:str}/lines/{line_id:int}/price", opt=SELL, status_code=HTTP_200_OK)
    async def override_price(
        self,
        request: ActorRequest,
        node: NodeDep,
        sale_id: FromPath[str],
        line_id: FromPath[int],
        data: JSONBody[OverridePrice],
    ) -> SaleView:
        return await node.write(
            lambda tx: service.override_price(tx, node.secret, request.user, sale_id, line_id, data)
        )

    @post("/{sale_id:str}/discount", opt=SELL, status_code=HTTP_200_OK)
    async def discount_sale(
        self, request: ActorRequest, node: NodeDep, sale_id: FromPath[str], data: JSONBody[GiveDiscount]
    ) -> SaleView:
        return await node.write(
            lambda tx: service.discount_sale(tx, node.secret, request.user, sale_id, data)
        )

    @post("/{sale_id:str}/customer", opt=SELL, status_code=HTTP_200_OK)
    async def set_customer(
        self, request: ActorRequest, node: NodeDep, sale_id: FromPath[str], data: JSONBody[SetCustomer]
    ) -> SaleView:
        return await node.write(lambda tx: service.set_customer(tx, request.user, sale_id, data.customer_id))

    @post("/{sale_id:str}/payments", opt=SELL, status_code=HTTP_200_OK)
    async def add_payment(
        self, request: ActorRequest, node: NodeDep, sale_id: FromPath[str], data: JSONBody[NewPayment]
    ) -> SaleView:
        view = await node.write(lambda tx: checkout.add_payment(tx, request.user, sale_id, data))
        return node.devices.show_sale(view)

    @delete("/{sale_id:str}/payments/{payment_id:int}", opt=SELL, status_code=HTTP_200_OK)
    async def remove_payment(
        self, request: ActorRequest, node: NodeDep, sale_id: FromPath[str], payment_id: FromPath[int]
    ) -> SaleView:
        return await node.write(lambda tx: checkout.remove_payment(tx, request.user, sale_id, payment_id))

    @post("/{sale_id:str}/complete", opt=SELL, status_code=HTTP_200_OK)
    async def complete(
        self,
        request: ActorRequest,
        node: NodeDep,
        sale_id: FromPath[str],
        data: JSONBody[CompleteSale | None] = None,
    ) -> Receipt:
        buyer = data.buyer if data else None
        receipt = await node.write(
            lambda tx: node.devices.queue_receipt(
                tx, checkout.complete_sale(tx, request.user, sale_id, buyer)
            )
        )
        node.devices.show_receipt(receipt)
        return receipt

    @post("/{sale_id:str}/cancel", opt=SELL, status_code=HTTP_200_OK)
    async def cancel(
        self, request: ActorRequest, node: NodeDep, sale_id: FromPath[str], data: JSONBody[Reason]
    ) -> SaleView:
        view = await node.write(lambda tx: service.cancel_sale(tx, request.user, sale_id, data.reason))
        return node.devices.show_sale(view)

    @post("/{sale_id:str}/suspend", opt=SELL, status_code=HTTP_200_OK)
    async def suspend(self, request: ActorRequest, node: NodeDep, sale_id: FromPath[str]) -> SaleView:
        return await node.write(lambda tx: service.suspend_sale(tx, request.user, sale_id))

    @post("/{sale_id:str}/resume", opt=SELL, status_code=HTTP_200_OK)
    async def resume(
        self, request: ActorRequest, node: NodeDep, sale_id: FromPath[str], data: JSONBody[ResumeSale]
    ) -> SaleView:
        return await node.write(
            lambda tx: service.resume_sale(tx, request.user, sale_id, data.terminal_id, data.shift_id)
        )


class ReceiptController(Controller):
    path = "/api/v1/receipts"

    @get("/{receipt_no:str}", opt={"permission": "sales.read"})
    async def show(self, node: NodeDep, receipt_no: FromPath[str]) -> Receipt:
        return await node.read_tx(lambda tx: checkout.receipt_by_number(tx, receipt_no))
