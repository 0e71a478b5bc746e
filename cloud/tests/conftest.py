"""Fixtures of the cloud tests. The real Mosquitto (`broker`) comes from the dev kit (`-p devkit.fixtures`);
helpers live in cloud_support.py (test modules import from there, never from a conftest)."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cloud_support import IngestProcess, StorePublisher

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
