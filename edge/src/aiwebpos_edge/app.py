"""The app factory: builds the node's parts (database, clock, sessions) and hands them to the routes."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from litestar import Litestar, Request, Response, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from aiwebpos_edge.auth.middleware import BearerSessionMiddleware
from aiwebpos_edge.auth.secrets import load_or_create_secret
from aiwebpos_edge.auth.sessions import SessionRegistry
from aiwebpos_edge.bootstrap import store_id_of
from aiwebpos_edge.clock import Clock, SystemClock
from aiwebpos_edge.config.service import store_info
from aiwebpos_edge.db.database import Database
from aiwebpos_edge.devices.manager import Devices, check_devices
from aiwebpos_edge.errors import DomainError
from aiwebpos_edge.node import Node
from aiwebpos_edge.routes import CONTROLLERS
from aiwebpos_edge.scoring.fraud_scorer import FraudScorer
from aiwebpos_edge.scoring.updater import load_installed
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.sync.link import start_sync
from aiwebpos_edge.ui.routes import home, till_files

log = logging.getLogger("aiwebpos_edge")


@get("/health", opt={"public": True}, include_in_schema=True)
async def health() -> dict[str, str]:
    return {"status": "ok"}


def domain_error_handler(request: Request, exc: DomainError) -> Response[dict[str, object]]:  # type: ignore[type-arg]
    return Response(
        {"status_code": exc.status_code, "detail": exc.detail, **exc.extra}, status_code=exc.status_code
    )


def internal_error_handler(request: Request, exc: Exception) -> Response[dict[str, object]]:  # type: ignore[type-arg]
    """A 5xx is always a bug: log it whole for us, tell the till plainly."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return Response(
        {"status_code": 500, "detail": "internal error: this is a bug and has been logged"}, status_code=500
    )


def provide_node(state: State) -> Node:
    node: Node = state.node
    return node


def create_app(settings: NodeSettings, clock: Clock | None = None) -> Litestar:
    clock = clock or SystemClock()
    store_id = store_id_of(settings)  # fails early and clearly on an uninitialised data directory
    check_devices(settings.devices)  # and on a [devices] table naming no real profile or printer

    @asynccontextmanager
    async def node_lifespan(app: Litestar) -> AsyncIterator[None]:
        db = Database(settings.db_path)
        app.state.node = Node(
            settings=settings,
            db=db,
            clock=clock,
            store_id=store_id,
            secret=load_or_create_secret(settings.secret_path),
            sessions=SessionRegistry(idle=timedelta(minutes=settings.idle_timeout_minutes)),
            devices=Devices(settings.devices, db, clock),
        )
        node: Node = app.state.node
        info = await node.read_tx(store_info)
        await node.devices.start(info.name)
        # The last good models on disk, before any network: a node that restarts offline scores the same.
        await asyncio.to_thread(load_installed, settings, node.models, clock)
        scorer = FraudScorer(node)
        node.wake_scorer = scorer.wake
        scorer.start()
        link = start_sync(app.state.node) if settings.mqtt_url else None
        try:
            yield
        finally:
            if link is not None:
                await link.stop()
            await scorer.stop()
            await node.devices.stop()
            db.close()

    auth = DefineMiddleware(BearerSessionMiddleware, exclude=["^/schema"], exclude_from_auth_key="public")
    return Litestar(
        route_handlers=[health, home, till_files, *CONTROLLERS],
        lifespan=[node_lifespan],
        dependencies={"node": Provide(provide_node, sync_to_thread=False)},
        middleware=[auth],
        exception_handlers={DomainError: domain_error_handler, 500: internal_error_handler},
        openapi_config=OpenAPIConfig(
            title="AIWebPOS store node",
            version="1",
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            security=[{"bearer": []}],
            # Only the JSON document: the stock documentation pages load scripts from CDNs, and a store
            # node must work with no internet.
            render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])],
        ),
        debug=False,
    )
