"""Starting and stopping the link to the cloud: the connection, the outbox publisher, the command inbox."""

import asyncio
import contextlib
import logging

from aiwebpos_contracts.mqtt_url import parse_mqtt_url
from aiwebpos_contracts.topics import status_topic
from aiwebpos_edge.node import Node
from aiwebpos_edge.scoring.updater import ModelUpdater
from aiwebpos_edge.sync.connection import Connection
from aiwebpos_edge.sync.publisher import OutboxPublisher, offline_will

log = logging.getLogger("aiwebpos_edge.sync")


class SyncRunner:
    def __init__(self, publisher: OutboxPublisher, task: "asyncio.Task[None]") -> None:
        self.publisher = publisher
        self.task = task

    async def stop(self) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.publisher.goodbye(), 5)
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


def start_sync(node: Node) -> SyncRunner:
    settings = node.settings
    assert settings.mqtt_url is not None
    connection = Connection(
        parse_mqtt_url(settings.mqtt_url),
        client_id=f"aiwebpos-edge-{node.store_id}",
        will_topic=status_topic(node.store_id),
        will_payload=offline_will(node.store_id),
        ca_file=settings.mqtt_ca_file,
        keepalive_s=settings.mqtt_keepalive_seconds,
    )
    publisher = OutboxPublisher(node, connection, window=settings.mqtt_window)
    # Releases come over this same connection (the broker ACL lets every store read them): no second
    # client, login or reconnect loop to keep alive.
    publisher.models = ModelUpdater(settings, node.store_id, node.clock, node.models, publisher.status_soon)
    node.sync = publisher
    publisher.bind(asyncio.get_running_loop())
    task = asyncio.ensure_future(connection.run(publisher.session))
    return SyncRunner(publisher, task)
