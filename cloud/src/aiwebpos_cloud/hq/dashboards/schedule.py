"""The rollups kept fresh by `hq serve` itself: a refresh shortly after start, then every
`every_seconds`, in a worker thread (the web side keeps answering). A failed refresh is logged and tried
again at the next turn; the dashboards stay correct meanwhile (they read what is not rolled up live).

When several `hq serve` share a lakehouse, one of them refreshes (AIWEBPOS_HQ_ROLLUP_MINUTES=0 on the
others), or none does and `aiwebpos-cloud hq rollups` runs from a timer.
"""

import asyncio
import contextlib
import logging
from pathlib import Path

from aiwebpos_cloud.hq.dashboards.rollups import refresh_rollups

log = logging.getLogger("aiwebpos_cloud.hq")
FIRST_AFTER_S = 5.0


class RollupSchedule:
    def __init__(
        self, lakehouse: Path, every_seconds: float, first_after_seconds: float = FIRST_AFTER_S
    ) -> None:
        self.lakehouse, self.every_seconds, self.first_after = lakehouse, every_seconds, first_after_seconds
        self.refreshed = 0  # refreshes done, for the status and the tests
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        await asyncio.sleep(self.first_after)
        while True:
            try:
                report = await asyncio.to_thread(refresh_rollups, self.lakehouse)
                self.refreshed += 1
                log.info(
                    "rollups through %s: %d months, %d rows in %.1f s",
                    report.through,
                    len(report.months),
                    report.rows,
                    report.seconds,
                )
            except Exception:  # the next turn tries again; the dashboards read live meanwhile
                log.exception("refreshing the dashboards' rollups failed")
            await asyncio.sleep(self.every_seconds)
