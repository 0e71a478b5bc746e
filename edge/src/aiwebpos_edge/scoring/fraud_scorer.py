"""Scores completed sales, returns and closed shifts with the loaded fraud model, after they commit.

The cashier has the receipt before any of this runs: a transaction is queued in its own commit
(`fraud_store.queue`), this task wakes, reads what is queued, scores it in one batch in a worker
process (`fraud_worker`: one forest pass costs about the same for one row as for fifty, so a busy store
is scored in bulk) and
writes the scores back in one transaction — into the events still held in the outbox, and into
`fraud_scores` for the manager's screen. Whatever goes wrong here, the events go out unscored: a held
event is never held past its `held_until`, and a failing model releases its batch at once.
"""

import asyncio
import contextlib
import logging
import sqlite3
from functools import partial

from aiwebpos_edge.node import Node
from aiwebpos_edge.scoring import fraud_store
from aiwebpos_edge.scoring.bundles import FRAUD
from aiwebpos_edge.scoring.fraud_worker import Batch, ScoringProcess
from aiwebpos_edge.scoring.registry import LoadedModel
from aiwebpos_edge.tx import Tx

log = logging.getLogger("aiwebpos_edge.scoring")
RECHECK_S = 5.0  # besides being woken: what a crash left pending is picked up on start and here
BATCH = 200
GATHER_S = 0.25


def _gather(conn: sqlite3.Connection, queued: list[fraud_store.Queued]) -> Batch:
    """Everything the worker needs for one pass, raw: nothing is decoded in the node's process."""
    shifts = {q.ref: fraud_store.shift_transaction_seqs(conn, q.ref) for q in queued if q.kind == "shift"}
    involved = [q.seq for q in queued if q.kind == "return"] + [s for seqs in shifts.values() for s in seqs]
    return Batch(
        queued=[(q.kind, q.ref, q.seq, q.envelope) for q in queued],
        shift_transactions={ref: fraud_store.transactions_of_shift(conn, ref) for ref in shifts},
        context=fraud_store.sale_events(conn, fraud_store.returned_receipts(conn, involved)),
    )


async def _score(worker: ScoringProcess, loaded: LoadedModel, batch: Batch) -> list[fraud_store.Scored]:
    key = f"{loaded.version}:{loaded.sha256}:{id(loaded.model)}"
    results = await worker.score(key, loaded.model, loaded.version, batch)
    return [fraud_store.Scored(seq, score, envelope) for seq, score, envelope in results]


def _release(tx: Tx, seqs: list[int]) -> None:
    fraud_store.release(tx.conn, seqs)


def _record(tx: Tx, scored: list[fraud_store.Scored]) -> None:
    fraud_store.record(tx.conn, scored, tx.at)


class FraudScorer:
    def __init__(self, node: Node, *, batch: int = BATCH) -> None:
        self.node = node
        self.batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.worker = ScoringProcess()

    def wake(self) -> None:
        """From the event loop, after the commit of a queued transaction."""
        self._wake.set()

    def start(self) -> None:
        # The worker's imports cost seconds of CPU: start it with the node only when there is a model to
        # score with (else at the first batch after one arrives).
        if self.node.models.get(FRAUD) is not None:
            self.worker.warm()
        # A model that arrives later warms it at once too: on a Pi the imports take longer than a sale's
        # hold, and the first sales after a release would otherwise go out unscored.
        self.node.models.when_swapped(self._swapped)
        self._task = asyncio.create_task(self._run(), name="fraud-scorer")

    def _swapped(self, model: LoadedModel) -> None:
        if model.name == FRAUD:
            self.worker.warm()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await asyncio.to_thread(self.worker.close)

    async def _run(self) -> None:
        while True:
            try:
                await self.score_pending()
            except Exception:  # a bad batch was released; the loop must live on for the next sale
                log.exception("fraud scoring failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), RECHECK_S)
            # A short gather: a busy store's sales go to the model together (one forest pass for many).
            await asyncio.sleep(GATHER_S)
            self._wake.clear()

    async def score_pending(self) -> int:
        """Score everything queued; return how many were scored."""
        done = 0
        while queued := await self.node.read(partial(fraud_store.pending, limit=self.batch)):
            seqs = [q.seq for q in queued]
            loaded = self.node.models.get(FRAUD)
            if loaded is None:
                await self.node.write(partial(_release, seqs=seqs))
                continue
            try:
                batch = await self.node.read(partial(_gather, queued=queued))
                scored = await _score(self.worker, loaded, batch)
            except Exception:
                await self.node.write(partial(_release, seqs=seqs))
                raise
            await self.node.write(partial(_record, scored=scored))
            done += len(scored)
        return done
