"""Fixtures of the cloud tests. The real Mosquitto (`broker`) comes from the dev kit (`-p devkit.fixtures`);
helpers live in cloud_support.py (test modules import from there, never from a conftest)."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from click.testing import CliRunner
from cloud_support import IngestProcess, StorePublisher
from hq_support import ADMIN_PASSWORD, PG, postgres
from litestar.testing import AsyncTestClient

from aiwebpos_cloud.cli import main
from aiwebpos_cloud.hq.app import create_hq_app
from aiwebpos_cloud.hq.settings import load_hq_settings
from devkit.mosquitto import MosquittoBroker


@pytest.fixture
def lakehouse(tmp_path: Path) -> Path:
    return tmp_path / "lakehouse"


@pytest.fixture
def store_publisher(broker: MosquittoBroker) -> Iterator[Callable[[str], StorePublisher]]:
    publishers: list[StorePublisher] = []

    def connect(store_id: str) -> StorePublisher:
        publishers.append(StorePublisher(broker, store_id))
        return publishers[-1]

    yield connect
    for publisher in publishers:
        publisher.close()


@pytest.fixture
def ingest_process(
    broker: MosquittoBroker, lakehouse: Path, tmp_path: Path
) -> Iterator[Callable[..., IngestProcess]]:
    started: list[IngestProcess] = []

    def make(client_id: str = "ingest-1", **env: str) -> IngestProcess:
        process = IngestProcess(broker, lakehouse, client_id, tmp_path / f"{client_id}.log", **env)
        started.append(process)
        return process

    yield make
    for process in started:
        process.kill()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | None]:
    """None: HQ's default SQLite in its folder; else a fresh PostgreSQL database, dropped afterwards."""
    if request.param == "sqlite":
        yield None
        return
    name = f"hq_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(postgres(f"CREATE DATABASE {name}"))
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432 ({exc})")
    yield PG.format(db=name)
    asyncio.run(postgres(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def hq_dir(tmp_path: Path, database_url: str | None) -> Path:
    folder = tmp_path / "hq"
    args = ["hq", "init", "--data-dir", str(folder), "--admin-password", ADMIN_PASSWORD]
    args += ["--database-url", database_url] if database_url else []
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "log in as admin" in result.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and "up to date" in again.output
    return folder


@pytest.fixture
async def client(
    hq_dir: Path, database_url: str | None, broker: MosquittoBroker
) -> AsyncIterator[AsyncTestClient[Any]]:
    """The HQ app on its database (SQLite, then PostgreSQL) and the test's broker."""
    settings = load_hq_settings(hq_dir, database_url=database_url, mqtt_url=broker.url("aiwebpos-hq"))
    async with AsyncTestClient(app=create_hq_app(settings)) as test_client:
        yield test_client
