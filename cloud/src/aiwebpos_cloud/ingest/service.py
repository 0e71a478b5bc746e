"""The ingest loop: take a batch off the broker, store it, then acknowledge it.

Exactly-once into the lakehouse is the product of two rules: a message is acknowledged only after the
commit that holds it (so the broker delivers anything not yet stored again: nothing lost), and every
write is idempotent by event_id (so a second delivery, to this or another ingest process, stores
nothing: nothing doubled). A batch is closed when it holds `batch_size` messages or its first message has
waited `batch_seconds`; a Delta commit costs tens of milliseconds whatever its size, so the batch size
sets the pace.

A batch is one commit, to `events`, and nothing else. Unless `derive` is off, a deriver thread follows
`events` into the derived tables (`lakehouse/deriver.py`), standing by while another process derives,
and deriving less often (`derive_busy_seconds`) while batches fill up, so that a burst or a backlog
goes into `events` at the ingest's full pace and the derived tables catch up right after it.
(Storing batch n in a thread of its own while batch n+1 is checked was measured on the 2-core machine:
no faster, and ~20 % more CPU per event from the threads contending for the GIL. So one thread does a
batch after another; the commit itself runs in Rust, without the GIL, beside paho's network thread.)
"""

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiwebpos_cloud.ingest.connection import BrokerConnection, ReceivedMessage
from aiwebpos_cloud.ingest.gaps import SeqGapMonitor
from aiwebpos_cloud.ingest.validate import check_message
from aiwebpos_cloud.lakehouse.deriver import Deriver
from aiwebpos_cloud.lakehouse.rows import DeadLetter, RawEnvelope, warm_up
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter
from aiwebpos_cloud.settings import IngestSettings

log = logging.getLogger(__name__)

_RETRY_CAP_S = 30.0
_DEAD_LETTERS_LOGGED = 10


@dataclass
class IngestTotals:
    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    dead_letters: int = 0
    batches: int = 0


class Ingest:
    def __init__(
        self,
        settings: IngestSettings,
        connection: BrokerConnection | None = None,
        writer: LakehouseWriter | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.connection = connection or BrokerConnection(settings)
        self.writer = writer or LakehouseWriter(settings.lakehouse_path)
        self.gaps = SeqGapMonitor(settings.lakehouse_path, settings.gap_check_seconds, clock)
        self.totals = IngestTotals()
        self.stopping = threading.Event()
        self._clock = clock
        self._busy = False  # the last batch filled up: more is waiting than the ingest takes at once
        self._deriver_stopping = threading.Event()
        self._deriver: threading.Thread | None = None
        if settings.derive:
            self._deriver = threading.Thread(
                target=Deriver(settings.lakehouse_path).follow,
                args=(
                    self._deriver_stopping,
                    settings.derive_seconds,
                    self.busy,
                    settings.derive_busy_seconds,
                ),
                name="deriver",
                daemon=True,  # a second Ctrl-C ends the process at once; a pass cut short is done again
            )

    def run(self) -> None:
        """Until `stopping` is set: batch, store, acknowledge. Then flush what was received and disconnect."""
        self.writer.create_tables()
        warm_up()
        self.connection.start()
        if self._deriver is not None:
            self._deriver.start()
        log.info(
            "ingesting into %s (batches of up to %d messages or %.1f s); %s",
            self.settings.lakehouse,
            self.settings.batch_size,
            self.settings.batch_seconds,
            f"deriving every {self.settings.derive_seconds:g} s"
            if self._deriver
            else "not deriving (derive is off)",
        )
        stored_all = False
        try:
            while not self.stopping.is_set():
                batch = self._collect()
                self._busy = len(batch) == self.settings.batch_size
                if batch:
                    self._store_until_done(batch)
                self._check_gaps()
            self._store_until_done(self._drain())  # what arrived before the stop, so it is not redelivered
            stored_all = True
        finally:
            self.connection.stop()
            if stored_all:  # not after a second Ctrl-C, which stops at once
                self._stop_deriver()
            log.info(
                "stopped: %d messages, %d events stored, %d duplicates, %d dead letters",
                self.totals.messages,
                self.totals.stored,
                self.totals.duplicates,
                self.totals.dead_letters,
            )

    def stop(self) -> None:
        self.stopping.set()

    def busy(self) -> bool:
        """Whether the last batch filled up (a burst, a backlog): the deriver then leaves the cores to us."""
        return self._busy

    def _stop_deriver(self) -> None:
        """Let the deriver derive what was stored (one last pass), then end it."""
        if self._deriver is not None and self._deriver.is_alive():
            self._deriver_stopping.set()
            self._deriver.join()

    def _check_gaps(self) -> None:
        try:
            self.gaps.check_if_due()
        except Exception:  # a report, not the ingest's job: never let it stop the storing
            log.exception("could not check seq gaps; will try again")

    def _collect(self) -> list[ReceivedMessage]:
        """Up to batch_size messages, waiting at most batch_seconds after the first one."""
        try:
            first = self.connection.messages.get(timeout=0.2)
        except queue.Empty:
            return []
        batch = [first]
        deadline = self._clock() + self.settings.batch_seconds
        while len(batch) < self.settings.batch_size and not self.stopping.is_set():
            remaining = deadline - self._clock()
            if remaining <= 0:
                break
            try:
                batch.append(self.connection.messages.get(timeout=min(remaining, 0.2)))
            except queue.Empty:
                continue
        return batch

    def _drain(self) -> list[ReceivedMessage]:
        drained = []
        while True:
            try:
                drained.append(self.connection.messages.get_nowait())
            except queue.Empty:
                return drained

    def _store_until_done(self, batch: list[ReceivedMessage]) -> None:
        """Store and acknowledge the batch, retrying a failed write (a full disk, a lost volume) for ever.

        Nothing of a failed batch is acknowledged, so stopping meanwhile loses nothing either."""
        attempt = 0
        while True:
            batch = [message for message in batch if self.connection.current(message)]
            if not batch:
                return
            try:
                self._store(batch)
                return
            except Exception:
                attempt += 1
                delay = min(_RETRY_CAP_S, 0.5 * 2**attempt)
                log.exception("could not store a batch of %d messages; retrying in %.0f s", len(batch), delay)
                if self.stopping.wait(delay):
                    log.warning(
                        "stopping with %d messages unacknowledged: the broker will redeliver them", len(batch)
                    )
                    return

    def _store(self, batch: list[ReceivedMessage]) -> None:
        envelopes: list[RawEnvelope] = []
        letters: list[DeadLetter] = []
        for message in batch:
            checked = check_message(message.topic, message.payload, message.received_at)
            if isinstance(checked, RawEnvelope):
                envelopes.append(checked)
            else:
                letters.append(checked)
        report = self.writer.write(envelopes, received_at=batch[0].received_at)
        new_letters = self.writer.write_dead_letters(letters)
        acked = self.connection.ack(batch)
        self.gaps.saw(envelopes)
        self.totals.messages += len(batch)
        self.totals.stored += report.stored
        self.totals.duplicates += report.duplicates
        self.totals.dead_letters += new_letters
        self.totals.batches += 1
        for letter in letters[:_DEAD_LETTERS_LOGGED]:
            log.warning("dead letter on %s: %s", letter.topic, letter.reason)
        if len(letters) > _DEAD_LETTERS_LOGGED:
            log.warning("… and %d more dead letters in this batch", len(letters) - _DEAD_LETTERS_LOGGED)
        log.info(
            "batch of %d: %d events stored, %d duplicates, %d dead letters, %d acked in %.0f ms (%d retried merges)",
            len(batch),
            report.stored,
            report.duplicates,
            len(letters),
            acked,
            report.seconds * 1000,
            report.retries,
        )
