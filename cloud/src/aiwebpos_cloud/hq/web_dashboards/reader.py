"""`LakeReader`: the one DuckDB connection the dashboards' web side reads through.

A connection from `dashboards.connect` costs seconds to open and must not be used by two threads at
once, so the web side keeps a single one behind a lock and runs every query in a worker thread (the
event loop never waits on DuckDB). The connection sees the lakehouse as it was when it opened, so it
is replaced once it is older than `refresh_seconds`; the new one is opened beside the old, which keeps
answering meanwhile, and requests never wait the seconds a reconnect takes (except the very first).
"""

import asyncio
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb
from litestar.di import NamedDependency

from aiwebpos_cloud.hq import dashboards

T = TypeVar("T")


class LakeReader:
    def __init__(
        self,
        lakehouse: Path,
        refresh_seconds: float = 60,
        connect: Callable[[Path], duckdb.DuckDBPyConnection] = dashboards.connect,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.lakehouse = lakehouse
        self.refresh_seconds = refresh_seconds
        self._connect, self._clock = connect, clock
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._opened_at = 0.0
        # threading locks, not asyncio ones: they are taken in worker threads, and the reader may be
        # shared by event loops (uvicorn's, a test client's)
        self._using = threading.Lock()  # held while the connection runs a query (or is swapped)
        self._reconnecting = threading.Lock()  # held by the one request opening a fresher connection

    async def run(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        """`fn(connection)` in a worker thread, alone on the connection; what it returns must not keep
        a cursor or relation of the connection (return a Polars frame, rows, a value)."""
        return await asyncio.to_thread(self._run, fn)

    def close(self) -> None:
        """Close the connection (a later `run` opens a new one)."""
        with self._using:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _run(self, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
        self._reconnect_if_stale()
        with self._using:
            if self._connection is None:  # nothing to answer with meanwhile: everyone waits for it
                self._connection, self._opened_at = self._connect(self.lakehouse), self._clock()
            return fn(self._connection)

    def _stale(self) -> bool:
        return self._connection is not None and self._clock() - self._opened_at >= self.refresh_seconds

    def _reconnect_if_stale(self) -> None:
        if not self._stale() or not self._reconnecting.acquire(blocking=False):
            return  # fresh enough, or another request is already opening the next connection
        try:
            if not self._stale():  # replaced between the check and the lock
                return
            fresh = self._connect(self.lakehouse)
            with self._using:
                stale, self._connection, self._opened_at = self._connection, fresh, self._clock()
            if stale is not None:  # no query can hold it now: they all take `_using` first
                stale.close()
        finally:
            self._reconnecting.release()


# What route handlers declare to receive the reader: Litestar injects it by the parameter name `lake`.
LakeDep = NamedDependency[LakeReader]
