"""The HQ web app: login, the fleet, dashboards and remote management, over HQ's database and the broker."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import ClientException, HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from aiwebpos_cloud.hq import audit
from aiwebpos_cloud.hq.auth.guard import permission_guard
from aiwebpos_cloud.hq.auth.routes import AuthController, UserController
from aiwebpos_cloud.hq.auth.tokens import load_or_create_secret
from aiwebpos_cloud.hq.catalog.routes import CatalogController
from aiwebpos_cloud.hq.commands import service as commands
from aiwebpos_cloud.hq.commands.routes import CommandController
from aiwebpos_cloud.hq.commands.store import answer
from aiwebpos_cloud.hq.dashboards.schedule import RollupSchedule
from aiwebpos_cloud.hq.db.engine import make_engine, migrate, sessions
from aiwebpos_cloud.hq.fleet.gaps import GapWatch
from aiwebpos_cloud.hq.fleet.listener import BrokerListener
from aiwebpos_cloud.hq.fleet.routes import FleetController
from aiwebpos_cloud.hq.fleet.store import save_status
from aiwebpos_cloud.hq.reviews.routes import ReviewController
from aiwebpos_cloud.hq.settings import HqSettings
from aiwebpos_cloud.hq.state import Hq, HqDep
from aiwebpos_cloud.hq.web_dashboards import DashboardController, LakeReader, dashboards_static

STATIC = Path(__file__).parent / "static"


@get("/health", opt={"public": True})
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/", opt={"public": True}, include_in_schema=False)
async def home() -> Redirect:
    return Redirect("/hq/")


@get("/api/v1/audit/verify", opt={"permission": "audit.read"})
async def verify_audit(hq: HqDep) -> dict[str, Any]:
    async with hq.sessions() as session:
        broken = await audit.verify_chain(session)
    return {"intact": broken is None, "first_broken_id": broken}


def provide_lake(state: State) -> LakeReader:
    reader: LakeReader | None = state.lake
    if reader is None:
        raise ClientException("this HQ has no lakehouse: serve it with --lakehouse DIR", status_code=409)
    return reader


def provide_hq(state: State) -> Hq:
    hq: HqDep = state.hq
    return hq


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    if isinstance(exc, HTTPException):
        body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.detail}
        if exc.extra:  # what exactly a request got wrong (the field and why), for a clear 400
            body["extra"] = exc.extra
        return Response(body, status_code=exc.status_code)
    request.logger.exception("unexpected error")
    return Response({"status_code": 500, "detail": "internal error"}, status_code=500)


def create_hq_app(settings: HqSettings, extra_handlers: list[Any] | None = None) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        engine = make_engine(settings.url)
        await migrate(engine)
        hq = Hq(settings, engine, sessions(engine), load_or_create_secret(settings.secret_path))
        app.state.hq = hq
        app.state.lake = LakeReader(Path(settings.lakehouse)) if settings.lakehouse else None
        app.state.gaps = GapWatch(Path(settings.lakehouse)) if settings.lakehouse else None
        rollups = (
            RollupSchedule(Path(settings.lakehouse), settings.rollup_minutes * 60)
            if settings.lakehouse and settings.rollup_minutes > 0
            else None
        )
        app.state.rollups = rollups
        if rollups is not None:
            rollups.start()

        async def on_status(store_id: str, status: dict[str, Any]) -> None:
            async with hq.sessions.begin() as session:
                await save_status(session, store_id, status, hq.at())

        async def on_result(store_id: str, result: dict[str, Any]) -> None:
            command_id, ok, detail = (
                str(result.get("command_id")),
                bool(result.get("ok")),
                str(result.get("detail", "")),
            )
            async with hq.sessions.begin() as session:
                await answer(session, store_id, command_id, ok, detail, hq.at())

        async def on_sent(command_id: str) -> None:
            async with hq.sessions.begin() as session:
                await commands.mark_sent(session, command_id)

        async def on_connected() -> None:
            assert listener is not None
            async with hq.sessions() as session:
                await commands.resend_queued(session, listener.publish, listener.in_flight())

        listener = (
            BrokerListener(
                settings.mqtt_url, settings.mqtt_ca_file, on_status, on_result, on_sent, on_connected
            )
            if settings.mqtt_url
            else None
        )
        if listener is not None:
            listener.start()
            hq.publish = listener.publish
        try:
            yield
        finally:
            if rollups is not None:
                await rollups.stop()
            if listener is not None:
                await listener.stop()
            if app.state.lake is not None:
                app.state.lake.close()
            await engine.dispose()

    pages = create_static_files_router("/hq", directories=[STATIC], html_mode=True, opt={"public": True})
    return Litestar(
        route_handlers=[
            health,
            home,
            verify_audit,
            pages,
            AuthController,
            UserController,
            FleetController,
            CommandController,
            CatalogController,
            ReviewController,
            DashboardController,
            dashboards_static(),
            *(extra_handlers or []),
        ],
        lifespan=[lifespan],
        dependencies={
            "hq": Provide(provide_hq, sync_to_thread=False),
            "lake": Provide(provide_lake, sync_to_thread=False),
        },
        guards=[permission_guard],
        exception_handlers={Exception: internal_error},
        openapi_config=OpenAPIConfig(
            title="AIWebPOS HQ", version="1", render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])]
        ),
        debug=False,
    )
