"""The fraud canary check: the pure verdict, and the command on a real (generated) lakehouse."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from aiwebpos_cloud.releases.store import ReleaseStore
from aiwebpos_contracts.releases import ModelRelease, Rollout
from aiwebpos_pipelines.canary import judge
from aiwebpos_pipelines.cli import main
from aiwebpos_pipelines.history import HistorySummary
from aiwebpos_pipelines.registry import FRAUD


@pytest.mark.parametrize(
    ("canary", "rest", "enough", "worse"),
    [
        ((1000, 35), (3000, 60), True, True),  # 3.5 % against 2 %: past half as many again
        ((1000, 25), (3000, 60), True, False),  # 2.5 % against 2 %: within the threshold
        ((1000, 10), (3000, 0), True, True),  # alerts where the old model raised none
        ((1000, 0), (3000, 0), True, False),  # nobody alerts: nothing worse
        ((100, 50), (3000, 60), False, False),  # too few canary sales to judge
        ((1000, 50), (150, 1), False, False),  # too few others
    ],
)
def test_a_canary_is_worse_only_past_the_threshold_on_enough_sales(
    canary: tuple[int, int], rest: tuple[int, int], enough: bool, worse: bool
) -> None:
    verdict = judge(canary, rest, threshold=0.5, min_sales=200)
    assert (verdict.enough, verdict.worse) == (enough, worse)


def canary_release(released_at: str) -> ModelRelease:
    return ModelRelease(
        release_id="r",
        name=FRAUD,
        version="2",
        artifact_url="http://hq/a.tar",
        sha256="0" * 64,
        size_bytes=1,
        signature="",
        key_id="",
        released_at=released_at,
        rollout=Rollout(mode="canary", share=0.5),
        previous_version="1",
    )


def test_the_canary_stays_while_no_sale_has_been_scored(
    tmp_path: Path, small_history: tuple[Path, HistorySummary]
) -> None:
    lakehouse, _ = small_history
    ReleaseStore(tmp_path).record(canary_release("2026-03-20T00:00:00.000Z"))
    args = ["release", "canary", "--lakehouse", str(lakehouse), "--releases-dir", str(tmp_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "too few sales yet" in result.output  # generated history carries no store scores


def test_the_canary_check_refuses_a_release_that_went_to_every_store(
    tmp_path: Path, small_history: tuple[Path, HistorySummary]
) -> None:
    lakehouse, _ = small_history
    args = ["release", "canary", "--lakehouse", str(lakehouse), "--releases-dir", str(tmp_path)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code != 0 and "no canary out" in result.output
