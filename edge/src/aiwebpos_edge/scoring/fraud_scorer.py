"""Scores completed sales, returns and closed shifts with the loaded fraud model, after they commit.

The cashier has the receipt before any of this runs: a transaction is queued in its own commit
(`fraud_store.queue`), this task wakes, reads what is queued, scores it in a worker thread in one batch
(one forest pass costs about the same for one row as for fifty, so a busy store is scored in bulk) and
writes the scores back in one transaction — into the events still held in the outbox, and into
`fraud_scores` for the manager's screen. Whatever goes wrong here, the events go out unscored: a held
event is never held past its `held_until`, and a failing model releases its batch at once.
"""

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from functools import partial

from aiwebpos_contracts.events import FraudScore
from aiwebpos_edge.node import Node
from aiwebpos_edge.scoring import fraud_store
from aiwebpos_edge.scoring.bundles import FRAUD
from aiwebpos_edge.scoring.fraud_frames import Event, decode, score_shift, score_transactions
from aiwebpos_edge.scoring.registry import LoadedModel
from aiwebpos_edge.tx import Tx

log = logging.getLogger("aiwebpos_edge.scoring")
RECHECK_S = 5.0  # besides being woken: what a crash left pending is picked up on start and here
BATCH = 200


@dataclass(frozen=True)
class _Inputs:
    queued: list[fraud_store.Queued]
    events: dict[int, Event]  # seq → the queued transaction's event
    shift_transactions: dict[str, list[Event]]
    context: list[Event]  # the sales that queued returns (and the shifts' returns) undo


def _gather(conn: sqlite3.Connection, queued: list[fraud_store.Queued]) -> _Inputs:
    events = dict(zip((q.seq for q in queued), decode(q.envelope for q in queued), strict=True))
    shifts = {
        q.ref: decode(fraud_store.transactions_of_shift(conn, q.ref)) for q in queued if q.kind == "shift"
    }
    involved = [*events.values(), *(e for es in shifts.values() for e in es)]
    originals = [e["payload"]["original_receipt_no"] for e in involved if e["type"] == "return.completed"]
    return _Inputs(queued, events, shifts, decode(fraud_store.sale_events(conn, originals)))


def _score(loaded: LoadedModel, inputs: _Inputs) -> list[fraud_store.Scored]:
    """Pure and CPU-bound: runs in a worker thread."""
    transactions = [inputs.events[q.seq] for q in inputs.queued if q.kind != "shift"]
    verdicts = score_transactions(loaded.model, transactions, inputs.context) if transactions else {}
    scored = []
    for q in inputs.queued:
        if q.kind == "shift":
            verdict = score_shift(
                loaded.model, inputs.events[q.seq], inputs.shift_transactions[q.ref], inputs.context
            )
        else:
            verdict = verdicts[q.ref]
        score = FraudScore(
            model=FRAUD, version=loaded.version, score=round(verdict.score, 4), reasons=verdict.reasons
        )
        scored.append(fraud_store.Scored(q.seq, score))
    return scored


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

    def wake(self) -> None:
        """From the event loop, after the commit of a queued transaction."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="fraud-scorer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self.score_pending()
            except Exception:  # a bad batch was released; the loop must live on for the next sale
                log.exception("fraud scoring failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), RECHECK_S)
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
                inputs = await self.node.read(partial(_gather, queued=queued))
                scored = await asyncio.to_thread(_score, loaded, inputs)
            except Exception:
                await self.node.write(partial(_release, seqs=seqs))
                raise
            await self.node.write(partial(_record, scored=scored))
            done += len(scored)
        return done
