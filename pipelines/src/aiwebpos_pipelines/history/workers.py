"""Playing the stores in worker processes, so that generating runs on every core beside the writer.

Each worker builds its own copy of the chain from the seed (`ChainArgs`), plays the stores it was given
and sends each store-day's envelopes (JSON, the payloads as they are) through its own queue. The parent
takes them in `Chain.store_days` order — the same order as playing them in one process — so the
lakehouse comes out the same however many workers there are.
"""

import multiprocessing
import queue
import traceback
from collections.abc import Iterator
from typing import Any

import msgspec

from aiwebpos_cloud.lakehouse.rows import RawEnvelope
from aiwebpos_pipelines.history.chain import Chain, ChainArgs, StoreOutcome, StorePlayer, build_chain

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(list[RawEnvelope])
_QUEUE_DEPTH = 8  # store-days a worker may run ahead of the writer


class WorkerError(RuntimeError):
    """A worker process failed (its traceback is in the message) or died."""


def _work(args: ChainArgs, positions: list[int], out: "multiprocessing.Queue[Any]") -> None:
    try:
        player = StorePlayer(build_chain(args), positions)
        for index, position, batch in player.days():
            out.put(("day", index, position, _encoder.encode(batch)))
        out.put(("done", player.outcomes()))
    except BaseException:
        out.put(("error", traceback.format_exc()))


def balance(sizes: list[float], workers: int) -> list[list[int]]:
    """Store positions per worker, the biggest stores first to the least loaded worker."""
    load = [0.0] * workers
    assigned: list[list[int]] = [[] for _ in range(workers)]
    for position in sorted(range(len(sizes)), key=lambda p: (-sizes[p], p)):
        lightest = min(range(workers), key=lambda w: (load[w], w))
        assigned[lightest].append(position)
        load[lightest] += sizes[position]
    return [sorted(positions) for positions in assigned]


class ProcessPlayer:
    """`StorePlayer`'s interface, the stores played by `workers` processes."""

    def __init__(self, chain: Chain, workers: int) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        self.chain = chain
        self.assigned = balance([spec.size for spec in chain.specs], workers)
        self.owner = {position: w for w, positions in enumerate(self.assigned) for position in positions}
        self.queues: list[multiprocessing.Queue[Any]] = [context.Queue(_QUEUE_DEPTH) for _ in self.assigned]
        self.processes = [
            context.Process(
                target=_work, args=(chain.args, positions, out), name=f"history-stores-{w}", daemon=True
            )
            for w, (positions, out) in enumerate(zip(self.assigned, self.queues, strict=True))
        ]
        for process in self.processes:
            process.start()

    def _next(self, worker: int) -> tuple[Any, ...]:
        while True:
            try:
                message: tuple[Any, ...] = self.queues[worker].get(timeout=1.0)
            except queue.Empty:
                if not self.processes[worker].is_alive():
                    raise WorkerError(
                        f"generator process {worker} stopped without a word (killed? out of memory?)"
                    ) from None
                continue
            if message[0] == "error":
                raise WorkerError(f"generator process {worker} failed:\n{message[1]}")
            return message

    def days(self) -> Iterator[tuple[int, int, list[RawEnvelope]]]:
        for index, position in self.chain.store_days():
            kind, got_index, got_position, data = self._next(self.owner[position])
            if (kind, got_index, got_position) != ("day", index, position):
                raise WorkerError(
                    f"expected day {index} of store {position}, got {kind} {got_index} {got_position}"
                )
            yield index, position, _decoder.decode(data)

    def outcomes(self) -> list[StoreOutcome]:
        found: list[StoreOutcome] = []
        for worker in range(len(self.processes)):
            kind, outcomes = self._next(worker)
            if kind != "done":
                raise WorkerError(f"generator process {worker} sent {kind} where its results were due")
            found += outcomes
        order = {spec.store_id: i for i, spec in enumerate(self.chain.specs)}
        return sorted(found, key=lambda outcome: order[outcome.store_id])

    def close(self) -> None:
        for process in self.processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for out in self.queues:
            out.close()
            out.join_thread()
