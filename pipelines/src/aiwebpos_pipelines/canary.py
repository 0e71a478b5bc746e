"""The canary check of a fraud model release: do the canary stores raise more alerts than the rest?

Stores score every sale locally (`sales.fraud_score`). Since the current release went out, the stores in
its rollout run the new version and the others the old one, on the same days: if the canary stores'
alert rate exceeds the others' by more than `threshold` (relative), the new version is worse and is
rolled back. Too few sales on either side decides nothing: a quiet morning must not roll back a model.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from aiwebpos_contracts.releases import ModelRelease, in_rollout
from aiwebpos_pipelines import lake

ALERT_SCORE = 0.5  # the score from which a store shows a sale to its supervisor

QUERY = """SELECT store_id, count(*) AS sales,
                  count(*) FILTER (WHERE fraud_score >= $2) AS alerts
           FROM sales WHERE date >= CAST($1 AS DATE) AND occurred_at >= $1 AND fraud_score IS NOT NULL
           GROUP BY store_id"""


@dataclass(frozen=True)
class Verdict:
    canary_sales: int
    canary_alerts: int
    rest_sales: int
    rest_alerts: int
    enough: bool  # both sides scored at least min_sales sales
    worse: bool  # the canary's alert rate beats the rest's by more than the threshold

    @property
    def canary_rate(self) -> float:
        return self.canary_alerts / self.canary_sales if self.canary_sales else 0.0

    @property
    def rest_rate(self) -> float:
        return self.rest_alerts / self.rest_sales if self.rest_sales else 0.0

    def describe(self) -> str:
        return (
            f"canary {self.canary_rate:.2%} alerts of {self.canary_sales} sales, "
            f"others {self.rest_rate:.2%} of {self.rest_sales}"
        )


def judge(canary: tuple[int, int], rest: tuple[int, int], threshold: float, min_sales: int) -> Verdict:
    """(sales, alerts) of the canary stores and of the others → whether the canary is worse (pure)."""
    (canary_sales, canary_alerts), (rest_sales, rest_alerts) = canary, rest
    enough = canary_sales >= min_sales and rest_sales >= min_sales
    verdict = Verdict(canary_sales, canary_alerts, rest_sales, rest_alerts, enough, worse=False)
    worse = enough and canary_alerts > 0 and verdict.canary_rate > verdict.rest_rate * (1 + threshold)
    return dataclasses.replace(verdict, worse=worse)


def fraud_canary(lakehouse: Path, release: ModelRelease, threshold: float, min_sales: int) -> Verdict:
    """Judge `release` (a canary or store-list release) on the sales scored since it went out."""
    since = datetime.fromisoformat(release.released_at.replace("Z", "+00:00"))
    rows = lake.frames(lakehouse, {"rates": QUERY}, [since, ALERT_SCORE])["rates"]
    canary, rest = [0, 0], [0, 0]
    for row in rows.iter_rows(named=True):
        side = canary if in_rollout(release.rollout, row["store_id"], release.name) else rest
        side[0] += row["sales"]
        side[1] += row["alerts"]
    return judge((canary[0], canary[1]), (rest[0], rest[1]), threshold, min_sales)
