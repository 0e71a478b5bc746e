"""The seq gap monitor: a gap is logged once it has lasted two checks, and again when it is filled."""

import logging
from pathlib import Path

import pytest
from cloud_factories import Store

from aiwebpos_cloud.ingest.gaps import SeqGapMonitor
from aiwebpos_cloud.lakehouse.query import SeqGap, seq_gaps
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter


def test_a_lasting_gap_is_reported_once_and_its_filling_too(
    lakehouse: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    monitor = SeqGapMonitor(lakehouse, interval_seconds=10, clock=lambda: now[0])
    writer = LakehouseWriter(lakehouse)
    store, other = Store("MSU-01"), Store("TY-02")
    events = [store.sale() for _ in range(10)]
    arrived = events[:3] + events[5:] + [other.sale() for _ in range(3)]
    writer.write(arrived)
    monitor.saw(arrived)

    assert monitor.check_if_due() == []  # not due yet
    now[0] = 10
    assert monitor.check_if_due() == []  # seen once: it may be a late event
    now[0] = 20
    with caplog.at_level(logging.INFO):
        assert monitor.check_if_due() == [SeqGap("MSU-01", 4, 5)]
        now[0] = 30
        assert monitor.check_if_due() == [SeqGap("MSU-01", 4, 5)]
    assert caplog.text.count("store MSU-01 is missing seq 4–5 (2 events)") == 1

    writer.write(events[3:5])
    monitor.saw(events[3:5])
    now[0] = 40
    with caplog.at_level(logging.INFO):
        assert monitor.check_if_due() == []
    assert "seq gap filled: store MSU-01 now has seq 4–5" in caplog.text
    assert seq_gaps(lakehouse) == []
