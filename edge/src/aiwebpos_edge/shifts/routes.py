"""HTTP of shifts and the cash drawer: parse, authorise, call the service, answer."""

from typing import Literal

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from aiwebpos_contracts.events import ShiftReport
from aiwebpos_edge.node import ActorRequest, NodeDep
from aiwebpos_edge.shifts import service
from aiwebpos_edge.tx import Tx


class ShiftController(Controller):
    path = "/api/v1/shifts"

    @post("/", opt={"permission": "shifts.operate"}, status_code=HTTP_201_CREATED)
    async def open_shift(
        self, request: ActorRequest, node: NodeDep, data: JSONBody[service.OpenShift]
    ) -> service.ShiftOut:
        return await node.write(lambda tx: service.open_shift(tx, request.user, data))

    @get("/", opt={"permission": "shifts.read"})
    async def list_shifts(
        self,
        node: NodeDep,
        terminal_id: FromQuery[str | None] = None,
        status: FromQuery[Literal["open", "closed"] | None] = None,
    ) -> list[service.ShiftOut]:
        return await node.read_tx(lambda tx: service.list_shifts(tx, terminal_id, status))

    @get("/{shift_id:str}", opt={"permission": "shifts.read"})
    async def show(self, node: NodeDep, shift_id: FromPath[str]) -> service.ShiftOut:
        return await node.read_tx(lambda tx: service.get_shift(tx, shift_id))

    @get("/{shift_id:str}/report", opt={"permission": "shifts.read"})
    async def report(self, node: NodeDep, shift_id: FromPath[str]) -> ShiftReport:
        return await node.read_tx(lambda tx: service.current_report(tx, shift_id))

    @post("/{shift_id:str}/close", opt={"permission": "shifts.operate"}, status_code=HTTP_200_OK)
    async def close(
        self,
        request: ActorRequest,
        node: NodeDep,
        shift_id: FromPath[str],
        data: JSONBody[service.CloseShift],
    ) -> ShiftReport:
        def close(tx: Tx) -> ShiftReport:
            report = service.close_shift(tx, request.user, shift_id, data)
            node.devices.queue_report(tx, report, report.terminal_id, request.user.username)
            return report

        return await node.write(close)


class DrawerController(Controller):
    path = "/api/v1/drawer"

    @post("/open", opt={"permission": "drawer.open"}, status_code=HTTP_201_CREATED)
    async def open_drawer(
        self, request: ActorRequest, node: NodeDep, data: JSONBody[service.OpenDrawer]
    ) -> service.NoSaleOut:
        def open_drawer(tx: Tx) -> service.NoSaleOut:
            no_sale = service.open_drawer(tx, request.user, data)
            node.devices.queue_drawer_kick(tx, no_sale.terminal_id, request.user.username)
            return no_sale

        return await node.write(open_drawer)
