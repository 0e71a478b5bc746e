"""Report `seq` gaps per store: events a store numbered but the lakehouse does not hold.

The check reads the lakehouse, not this process's memory, because with several ingest processes each
sees only part of every store's stream. A gap is reported once it has lasted two checks in a row: a late
event (still in another process's batch, or a store catching up on its outbox) fills most gaps within
seconds and is not worth a warning.
"""

import logging
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

from aiwebpos_cloud.lakehouse.query import SeqGap, seq_gaps
from aiwebpos_cloud.lakehouse.rows import RawEnvelope, parse_timestamp
from aiwebpos_contracts import Envelope

log = logging.getLogger(__name__)


class SeqGapMonitor:
    def __init__(
        self,
        lakehouse: Path,
        interval_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lakehouse = lakehouse
        self.interval = interval_seconds
        self._clock = clock
        self._next_check = clock() + interval_seconds
        self._stores: set[str] = set()
        self._since: date | None = None  # the earliest event date seen since the last check
        self._seen: set[SeqGap] = set()  # found by the last check
        self._reported: set[SeqGap] = set()

    def saw(self, envelopes: Iterable[Envelope | RawEnvelope]) -> None:
        for envelope in envelopes:
            self._stores.add(envelope.store_id)
            day = parse_timestamp(envelope.occurred_at).date()
            self._since = day if self._since is None else min(self._since, day)

    def check_if_due(self) -> list[SeqGap]:
        """Check the stores seen (and those with open gaps) when the interval has passed."""
        if self._clock() < self._next_check:
            return []
        self._next_check = self._clock() + self.interval
        return self.check()

    def check(self) -> list[SeqGap]:
        """Log gaps that lasted two checks and gaps that were filled; returns the gaps now reported."""
        stores = self._stores | {gap.store_id for gap in self._seen}
        # A gap's two sides are near in time: a day before the earliest new event is enough to find it
        # (gaps already found are checked in full, to notice when they are filled).
        since = self._since - timedelta(days=1) if self._since and not self._seen else None
        self._stores, self._since = set(), None
        if not stores:
            return []
        found = set(seq_gaps(self.lakehouse, sorted(stores), since))
        checked = {gap for gap in self._seen | self._reported if gap.store_id in stores}
        for gap in sorted((self._reported & checked) - found):
            log.info(
                "seq gap filled: store %s now has seq %d–%d",
                gap.store_id,
                gap.first_missing,
                gap.last_missing,
            )
            self._reported.discard(gap)
        lasting = (found & self._seen) - self._reported
        for gap in sorted(lasting):
            log.warning(
                "seq gap: store %s is missing seq %d–%d (%d events); they may still arrive, or are lost upstream",
                gap.store_id,
                gap.first_missing,
                gap.last_missing,
                gap.missing,
            )
        self._reported |= lasting
        self._seen = (self._seen - checked) | found
        return sorted(found & self._reported)
