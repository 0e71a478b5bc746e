"""pytest fixtures of the test kit (loaded for every test directory with `-p devkit.fixtures`)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devkit.mosquitto import MosquittoBroker

BROKER_USERS = {
    "MSU-01": "store-msu01-secret",
    "TY-02": "store-ty02-secret",
    "aiwebpos-ingest": "ingest-secret",
    "aiwebpos-hq": "hq-secret",
}


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`make test` runs two workers (pytest-xdist). The cross-package tests in tests/ (whole chains of
    processes: the demo, the chaos tests, model delivery) are one unit of work, run one after another on
    one worker, while the other takes the packages' own tests file by file: two chains at once would
    fight over the two cores each expects to have most of. (xdist's own loadgroup does not group under
    pytest 9: it renames node ids in a way pytest 9 no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ChainsApart(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            return "chains" if nodeid.startswith("tests/") else nodeid.split("::", 1)[0]

    return ChainsApart(config, log)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[MosquittoBroker]:
    """A real Mosquitto with the production ACL, users for two stores, the ingest and HQ."""
    mosquitto = MosquittoBroker(tmp_path / "broker", BROKER_USERS)
    mosquitto.start()
    yield mosquitto
    mosquitto.kill()
