"""Cross-package fixtures: store nodes seeded like the demo, the lakehouse, tills that sell over HTTP."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from aiwebpos_edge.demo.seed import seed_demo_store
from aiwebpos_edge.settings import load_settings


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo store's data directory, made once; tests copy it (users cost a scrypt hash each)."""
    data_dir = tmp_path_factory.mktemp("seeded") / "MSU-01"
    seed_demo_store(load_settings(data_dir), "MSU-01")
    return data_dir


@pytest.fixture
def lakehouse(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "lakehouse"
