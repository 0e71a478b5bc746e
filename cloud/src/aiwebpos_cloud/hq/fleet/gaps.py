"""Which events each store sent that the lakehouse does not have (its `seq` gaps), for the fleet page.

The lakehouse is the truth: a gap is a range of `seq` missing between what arrived. Reading it costs a
scan of the recent `events` partitions, so the answer is kept for `ttl_seconds` and the scan runs in a
worker thread. Only the last `days` are scanned: an older gap was reported by the ingest long ago.
"""

import asyncio
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from aiwebpos_cloud.lakehouse.query import SeqGap, seq_gaps


class GapWatch:
    def __init__(
        self,
        lakehouse: Path,
        ttl_seconds: float = 60,
        days: int = 30,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.lakehouse, self.ttl_seconds, self.days = lakehouse, ttl_seconds, days
        self._clock, self._today = clock, today
        self._gaps: list[SeqGap] = []
        self._read_at: float | None = None
        self._lock = asyncio.Lock()

    async def by_store(self) -> dict[str, list[SeqGap]]:
        async with self._lock:  # one scan at a time; the others take its answer
            if self._read_at is None or self._clock() - self._read_at >= self.ttl_seconds:
                since = self._today() - timedelta(days=self.days)
                self._gaps = await asyncio.to_thread(self._scan, since)
                self._read_at = self._clock()
        found: dict[str, list[SeqGap]] = {}
        for gap in self._gaps:
            found.setdefault(gap.store_id, []).append(gap)
        return found

    def _scan(self, since: date) -> list[SeqGap]:
        return seq_gaps(self.lakehouse, since=since)  # no events yet: none missing
