"""`aiwebpos-pipelines generate`: a history with a summary, clear errors for bad arguments, and never
into a lakehouse that already holds the stores' events."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from history_support import scalar

from aiwebpos_pipelines.cli import main


def _generate(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"AIWEBPOS_LAKEHOUSE": None}).invoke(main, ["generate", *args])
    return result.exit_code, result.output


def test_generate_writes_a_history_and_prints_its_summary(tmp_path: Path) -> None:
    lakehouse = tmp_path / "lakehouse"
    code, output = _generate(
        "--lakehouse", str(lakehouse), "--stores", "1", "--days", "2", "--skus", "10", "--end", "2026-01-31"
    )
    assert code == 0, output
    for words in (
        "events",
        "sales",
        "fraud labels",
        "true elasticities",
        "2026-01-30 … 2026-01-31",
        "MSU-01",
    ):
        assert words in output
    assert scalar(lakehouse, "SELECT count(DISTINCT date) FROM sales") == 2

    again, refused = _generate("--lakehouse", str(lakehouse), "--stores", "1", "--days", "2", "--skus", "10")
    assert again == 1
    assert "already holds events of MSU-01" in refused and "empty lakehouse" in refused

    beside, output = _generate(
        "--lakehouse", str(lakehouse), "--stores", "1", "--days", "2", "--skus", "10", "--first-store", "2"
    )
    assert beside == 0, output
    assert scalar(lakehouse, "SELECT count(DISTINCT store_id) FROM events") == 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--stores", "0"], "Invalid value for '--stores'"),
        (["--days", "-3"], "Invalid value for '--days'"),
        (["--skus", "2"], "Invalid value for '--skus'"),
        (["--skus", "999999"], "skus must be from 5 to"),
        (["--end", "31/01/2026"], "is not a date: give it as YYYY-MM-DD"),
        (["--seed", "x"], "'x' is not a valid integer"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_error(tmp_path: Path, args: list[str], words: str) -> None:
    code, output = _generate("--lakehouse", str(tmp_path / "lakehouse"), *args)
    assert code != 0 and words in output, output
    assert not (tmp_path / "lakehouse" / "events").exists()


def test_the_lakehouse_is_required() -> None:
    code, output = _generate("--stores", "1")
    assert code == 2 and "Missing option '--lakehouse'" in output
