"""Fraud scoring in a process of its own, so that it never holds the till's interpreter lock.

Scoring a batch is a few milliseconds of mostly Python work per tree of the forest; in a thread of the
node it would take turns with the requests of every till (measured: twice the checkout p99). One worker
process, started once and niced below the server, keeps the model of the current version; the node
sends the model only when the version changes. The worker imports nothing of the web server.
"""

import asyncio
import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

import msgspec

from aiwebpos_contracts import Envelope, encode_envelope
from aiwebpos_contracts.events import FraudScore
from aiwebpos_edge.scoring.bundles import FRAUD

NICENESS = 10
_models: dict[str, Any] = {}  # in the worker: version key → model (only the current one is kept)


class ModelNotInWorker(LookupError):
    """The worker (new, or restarted) does not hold this version yet: send it the model."""


def _lower_priority() -> None:
    with contextlib.suppress(OSError):
        os.nice(NICENESS)


def _ready() -> None:
    """In the worker, once: the scoring frames and the fraud model's code (numpy among them, ~0.15 s of
    imports here) are imported in the worker, where they are used, and not by the node's process."""
    import aiwebpos_edge.scoring.fraud_frames  # noqa: F401


@dataclass(frozen=True)
class Batch:
    """What one pass scores, as the outbox holds it: raw envelopes (decoded in the worker, not the node)."""

    queued: list[tuple[str, str, int, str]]  # (kind, ref, seq, envelope) of sales, returns, shifts
    shift_transactions: dict[str, list[str]]  # shift id → the envelopes of its sales and returns
    context: list[str]  # the sales that the returns undo


def _with_score(envelope: str, score: FraudScore) -> str:
    decoded = msgspec.json.decode(envelope, type=Envelope)
    decoded.payload["fraud"] = msgspec.to_builtins(score)
    return encode_envelope(decoded).decode()


def score_batch(key: str, model: Any | None, version: str, batch: Batch) -> list[tuple[int, FraudScore, str]]:
    """In the worker: (seq, score, the envelope with its score) of each queued transaction and shift."""
    from aiwebpos_edge.scoring.fraud_frames import decode, score_shift, score_transactions

    if model is not None:
        _models.clear()
        _models[key] = model
    held = _models.get(key)
    if held is None:
        raise ModelNotInWorker(key)
    events = {seq: msgspec.json.decode(raw) for _, _, seq, raw in batch.queued}
    context = decode(batch.context)
    transactions = [events[seq] for kind, _, seq, _ in batch.queued if kind != "shift"]
    verdicts = score_transactions(held, transactions, context) if transactions else {}
    scored = []
    for kind, ref, seq, raw in batch.queued:
        if kind == "shift":
            verdict = score_shift(held, events[seq], decode(batch.shift_transactions[ref]), context)
        else:
            verdict = verdicts[ref]
        score = FraudScore(
            model=FRAUD, version=version, score=round(verdict.score, 4), reasons=verdict.reasons
        )
        scored.append((seq, score, _with_score(raw, score)))
    return scored


class ScoringProcess:
    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._sent: str | None = None

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the node has threads (SQLite, uvicorn) that a fork would copy half-way.
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_lower_priority)
        self._sent = None
        return self._pool

    def warm(self) -> None:
        """Start the worker now (a spawn and its imports take seconds), not at the first sale."""
        (self._pool or self._start()).submit(_ready)

    async def score(
        self, key: str, model: Any, version: str, batch: Batch
    ) -> list[tuple[int, FraudScore, str]]:
        loop = asyncio.get_running_loop()
        pool = self._pool or self._start()
        for attempt in range(2):
            send = model if self._sent != key or attempt else None
            try:
                result = await loop.run_in_executor(pool, score_batch, key, send, version, batch)
            except ModelNotInWorker:
                continue  # the worker was replaced since: send the model
            except BrokenProcessPool:
                self._pool = None  # killed (out of memory?): a new worker next time
                raise
            self._sent = key
            return result
        raise RuntimeError("the scoring worker did not keep the model")

    def close(self) -> None:
        """Stop the worker and wait for it (a batch in progress is dropped: its events go out unscored
        when their hold runs out, and it is scored again at the next start)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
