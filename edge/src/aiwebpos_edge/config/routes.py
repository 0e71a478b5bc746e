"""HTTP of the store's configuration: business settings and VAT rates."""

from litestar import Controller, get, post, put
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED

from aiwebpos_edge.config import service
from aiwebpos_edge.node import ActorRequest, NodeDep
from aiwebpos_edge.vat import rate_percent


class ConfigController(Controller):
    path = "/api/v1/config"

    @get("/", opt={"permission": "config.read"})
    async def show(self, node: NodeDep) -> service.StoreConfig:
        return await node.read_tx(service.store_config)

    @put("/", opt={"permission": "config.write"})
    async def change(
        self,
        request: ActorRequest,
        node: NodeDep,
        data: JSONBody[service.StoreConfigChange],
    ) -> service.StoreConfig:
        return await node.write(lambda tx: service.change_config(tx, request.user, data))

    @get("/store", opt={"permission": "config.read"})
    async def store(self, node: NodeDep) -> service.StoreInfo:
        return await node.read_tx(service.store_info)

    @get("/vat-rates", opt={"permission": "config.read"})
    async def vat_rates(self, node: NodeDep) -> list[service.VatRateOut]:
        rates = await node.read_tx(service.vat_rates)
        return [
            service.VatRateOut(
                vat_class=r.vat_class, rate_percent=rate_percent(r.rate_bp), effective_from=r.effective_from
            )
            for r in rates
        ]

    @post("/vat-rates", opt={"permission": "config.write"}, status_code=HTTP_201_CREATED)
    async def add_vat_rate(
        self, request: ActorRequest, node: NodeDep, data: JSONBody[service.VatRateIn]
    ) -> service.VatRateOut:
        return await node.write(lambda tx: service.add_vat_rate(tx, request.user, data))
