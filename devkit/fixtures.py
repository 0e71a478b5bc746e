"""pytest fixtures of the test kit (loaded for every test directory with `-p devkit.fixtures`)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.mosquitto import MosquittoBroker

BROKER_USERS = {
    "MSU-01": "store-msu01-secret",
    "TY-02": "store-ty02-secret",
    "aiwebpos-ingest": "ingest-secret",
    "aiwebpos-hq": "hq-secret",
}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[MosquittoBroker]:
    """A real Mosquitto with the production ACL, users for two stores, the ingest and HQ."""
    mosquitto = MosquittoBroker(tmp_path / "broker", BROKER_USERS)
    mosquitto.start()
    yield mosquitto
    mosquitto.kill()
