"""HTTP of customers and their accounts: parse, authorise, call the service, answer."""

from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_201_CREATED

from aiwebpos_edge.customers import service
from aiwebpos_edge.customers.schemas import (
    AccountPayment,
    CustomerChange,
    CustomerOut,
    NewCustomer,
    PaymentReceived,
    Statement,
)
from aiwebpos_edge.node import ActorRequest, NodeDep


class CustomerController(Controller):
    path = "/api/v1/customers"

    @post("/", opt={"permission": "customers.write"}, status_code=HTTP_201_CREATED)
    async def create(self, request: ActorRequest, node: NodeDep, data: JSONBody[NewCustomer]) -> CustomerOut:
        return await node.write(lambda tx: service.create_customer(tx, request.user, data))

    @get("/", opt={"permission": "customers.read"})
    async def search(self, node: NodeDep, q: FromQuery[str | None] = None) -> list[CustomerOut]:
        return await node.read_tx(lambda tx: service.search_customers(tx, q))

    @get("/{customer_id:str}", opt={"permission": "customers.read"})
    async def show(self, node: NodeDep, customer_id: FromPath[str]) -> CustomerOut:
        return await node.read_tx(lambda tx: service.get_customer(tx, customer_id))

    @patch("/{customer_id:str}", opt={"permission": "customers.write"})
    async def change(
        self,
        request: ActorRequest,
        node: NodeDep,
        customer_id: FromPath[str],
        data: JSONBody[CustomerChange],
    ) -> CustomerOut:
        return await node.write(lambda tx: service.change_customer(tx, request.user, customer_id, data))

    @get("/{customer_id:str}/statement", opt={"permission": "customers.read"})
    async def statement(self, node: NodeDep, customer_id: FromPath[str]) -> Statement:
        return await node.read_tx(lambda tx: service.statement(tx, customer_id))

    @post("/{customer_id:str}/payments", opt={"permission": "accounts.receive"}, status_code=HTTP_201_CREATED)
    async def receive_payment(
        self,
        request: ActorRequest,
        node: NodeDep,
        customer_id: FromPath[str],
        data: JSONBody[AccountPayment],
    ) -> PaymentReceived:
        return await node.write(lambda tx: service.receive_payment(tx, request.user, customer_id, data))
