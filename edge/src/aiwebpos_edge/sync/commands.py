"""Commands from the cloud, applied exactly once by `command_id` and answered with `command.result`.

The message is acknowledged to the broker only after the transaction that applied it (and recorded its
id, and wrote the result event) has committed: a crash in between means a redelivery, which the recorded
id turns into a no-op.
"""

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import msgspec
import paho.mqtt.client as mqtt

from aiwebpos_contracts.commands import Command
from aiwebpos_contracts.events import CommandResult
from aiwebpos_edge.errors import DomainError
from aiwebpos_edge.sync.command_handlers import HANDLERS, parse_body
from aiwebpos_edge.tx import Tx

if TYPE_CHECKING:
    from aiwebpos_edge.node import Node
    from aiwebpos_edge.sync.connection import Connection

log = logging.getLogger("aiwebpos_edge.sync")


def apply_command(tx: Tx, secret: bytes, raw: bytes) -> list[str]:
    """Apply one command message; returns the sessions it ended. Never raises for a bad command: a bad
    command is answered `ok: false` and recorded, so that its redelivery is not retried forever."""
    try:
        command = msgspec.json.decode(raw, type=Command)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        log.error("undecodable command dropped: %s", exc)
        tx.emit(CommandResult(command_id="", ok=False, detail=f"undecodable command: {exc}"))
        return []
    seen = tx.conn.execute("SELECT 1 FROM applied_commands WHERE command_id = ?", (command.command_id,))
    if seen.fetchone() is not None:
        return []  # a redelivery: applied (and answered) already
    ended: list[str] = []
    tx.conn.execute("SAVEPOINT command")
    try:
        ended = HANDLERS.get(command.type, _unknown)(tx, secret, parse_body(command.type, command.body))
        ok, detail = True, "applied"
        tx.conn.execute("RELEASE command")
    except (DomainError, msgspec.ValidationError, ValueError) as exc:
        tx.conn.execute("ROLLBACK TO command")
        tx.conn.execute("RELEASE command")
        ok, detail = False, getattr(exc, "detail", str(exc))
    tx.conn.execute(
        "INSERT INTO applied_commands (command_id, type, received_at, ok, detail) VALUES (?, ?, ?, ?, ?)",
        (command.command_id, command.type, tx.at, int(ok), detail),
    )
    tx.emit(CommandResult(command_id=command.command_id, ok=ok, detail=detail))
    tx.audit(
        "command.applied",
        command.issued_by or "hq",
        None,
        command_id=command.command_id,
        type=command.type,
        ok=ok,
        detail=detail,
    )
    return ended


def _unknown(tx: Tx, secret: bytes, body: Any) -> list[str]:
    raise ValueError("unknown command type")


class CommandInbox:
    def __init__(self, node: "Node", connection: "Connection") -> None:
        self.node = node
        self.connection = connection
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        """paho's network thread: hand the message to the event loop."""
        if self._loop is None:  # not acknowledged: the broker sends it again on the next connection
            log.warning("command arrived before the node was ready; it will come again")
            return
        payload, mid, qos = bytes(message.payload), message.mid, message.qos
        self._loop.call_soon_threadsafe(self._start, payload, mid, qos)

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def _start(self, payload: bytes, mid: int, qos: int) -> None:
        task = asyncio.ensure_future(self._apply(payload, mid, qos))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _apply(self, payload: bytes, mid: int, qos: int) -> None:
        node = self.node
        ended = await node.write(lambda tx: apply_command(tx, node.secret, payload))
        node.sessions.end(ended)
        self.connection.client.ack(mid, qos)
