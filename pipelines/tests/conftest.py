"""Fixtures of the pipelines tests: a small generated history, made once per session and only read, and
one Prefect test server for every test that runs flows (starting one costs about 10 s)."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

from aiwebpos_pipelines.history import HistorySummary, generate_history

END = date(2026, 3, 31)  # a Tuesday; the 21 days before it hold a month-end payday and three weekends


@pytest.fixture(scope="session")
def small_history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, HistorySummary]:
    """2 stores × 21 days × 40 SKUs (about 12,000 events), generated in one process."""
    lakehouse = tmp_path_factory.mktemp("history") / "lakehouse"
    return lakehouse, generate_history(lakehouse, stores=2, days=21, skus=40, seed=7, end=END)


@pytest.fixture(scope="package")  # stopped once the pipelines' tests are done
def harness() -> Iterator[None]:
    with prefect_test_harness(server_startup_timeout=120):
        yield
