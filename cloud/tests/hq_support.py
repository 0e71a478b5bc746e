"""Helpers of the HQ tests: logging in, a store's status and command results as its node sends them,
and waiting for HQ to see something."""

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
import msgspec
from litestar.testing import AsyncTestClient

from aiwebpos_contracts.commands import Command
from aiwebpos_contracts.status import StoreStatus
from aiwebpos_contracts.topics import commands_topic
from devkit.mqtt import MqttPeer

PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/{db}"
ADMIN_PASSWORD = "admin-secret-1"


async def postgres(statement: str) -> None:
    connection = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres", timeout=3)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def login(client: AsyncTestClient[Any], username: str, password: str) -> dict[str, str]:
    answer = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def status(store_id: str, online: bool, **fields: Any) -> bytes:
    return msgspec.json.encode(StoreStatus(store_id=store_id, online=online, **fields))


async def until(
    client: AsyncTestClient[Any],
    path: str,
    headers: dict[str, str],
    want: Callable[[Any], bool],
    within: float = 20,
) -> Any:
    """GET `path` until `want` holds of its JSON; fail with the last answer."""
    deadline = time.monotonic() + within
    while True:
        answer = (await client.get(path, headers=headers)).json()
        if want(answer):
            return answer
        assert time.monotonic() < deadline, answer
        await asyncio.sleep(0.1)


async def fleet(client: AsyncTestClient[Any], headers: dict[str, str], want: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await until(client, "/api/v1/fleet/", headers, want)
    return rows


def result(store_id: str, command_id: str, ok: bool = True, detail: str = "") -> bytes:
    """A store's `command.result` event, as its node would send it."""
    envelope = {
        "v": 1,
        "event_id": str(uuid.uuid4()),
        "type": "command.result",
        "store_id": store_id,
        "terminal_id": None,
        "seq": 1,
        "occurred_at": "2026-11-29T08:00:00.000Z",
        "payload": {"command_id": command_id, "ok": ok, "detail": detail},
    }
    return msgspec.json.encode(envelope)


def commands_at(peer: MqttPeer, store_id: str) -> list[Command]:
    """The commands a store (played by `peer`, subscribed to its commands topic) has received."""
    return [msgspec.json.decode(m.payload, type=Command) for m in peer.received(commands_topic(store_id))]
