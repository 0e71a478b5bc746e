"""`generate_history`: a chain's past, store by store and day by day, into a lakehouse.

The chain comes from the seed alone (`chain.py`), so the same arguments give the same lakehouse
contents. The stores are played in worker processes when the history is big enough (`workers.py`);
their events go through `LakehouseWriter.write` in batches, as the ingest would store them; the
reference tables (products, stores, fraud labels) are upserted, and the derived tables are brought up
to date by the `Deriver`.
"""

import logging
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from deltalake import DeltaTable

from aiwebpos_cloud.lakehouse.deriver import DerivePass, Deriver
from aiwebpos_cloud.lakehouse.tables import EVENTS, FRAUD_LABELS, PRODUCTS, STORES
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter
from aiwebpos_pipelines.history.catalog import max_skus
from aiwebpos_pipelines.history.categories import CATEGORIES
from aiwebpos_pipelines.history.chain import ChainArgs, StorePlayer, build_chain
from aiwebpos_pipelines.history.moments import MASERU
from aiwebpos_pipelines.history.output import EnvelopeSink, end_of, labels_table, products_table, stores_table
from aiwebpos_pipelines.history.stores import store_id
from aiwebpos_pipelines.history.workers import ProcessPlayer

log = logging.getLogger(__name__)

MAX_STORES = 99  # store ids carry a two-digit number
MAX_DAYS = 3660
MIN_SKUS = 5
PROCESSES_FROM_STORE_DAYS = 120


class HistoryError(ValueError):
    """Arguments the generator cannot work with, or a lakehouse it must not write into."""


@dataclass(frozen=True)
class HistoryProgress:
    """Where a generation is, handed to the `progress` callback after each day and each derive pass."""

    stage: str  # "generating", "deriving" or "done"
    days_done: int
    days: int
    events_written: int
    events_derived: int = 0


@dataclass(frozen=True)
class HistorySummary:
    """What a generation wrote, the truths behind it (elasticities, fraudsters) and how long it took."""

    lakehouse: Path
    seed: int
    first_day: date
    last_day: date
    days: int
    stores: tuple[str, ...]
    skus: int
    events: int
    sales: int
    returns: int
    cancelled_sales: int
    no_sales: int
    shifts: int
    stock_movements: int
    fraud_labels: int
    fraudsters: tuple[str, ...]  # "MSU-01/thabo.m: refund_fraud, void_theft"
    promotions: int
    price_changes: int
    stockout_days: int  # store × SKU × day ending with nothing sellable
    elasticities: dict[str, float] = field(default_factory=dict)  # category → its true price elasticity
    workers: int = 1  # processes that played the stores
    generate_seconds: float = 0.0  # generating the events and writing them into `events`
    derive_seconds: float = 0.0  # then upserting the reference tables and deriving the derived ones
    seconds: float = 0.0

    @property
    def events_per_second(self) -> float:
        """Generated and written into `events`."""
        return self.events / max(self.generate_seconds, 1e-9)

    def describe(self) -> str:
        return (
            f"{self.events:,} events ({self.sales:,} sales, {self.returns:,} returns, {self.cancelled_sales:,} "
            f"cancelled, {self.no_sales:,} no-sales, {self.shifts:,} shifts) of {len(self.stores)} stores × "
            f"{self.days} days ({self.first_day} … {self.last_day}) × {self.skus} SKUs; {self.fraud_labels:,} "
            f"fraud labels; {self.seconds:.1f} s: {self.generate_seconds:.1f} s generating and writing "
            f"({self.events_per_second:,.0f} events/s), {self.derive_seconds:.1f} s deriving"
        )


Progress = Callable[[HistoryProgress], None]


def yesterday() -> date:
    return datetime.now(MASERU).date() - timedelta(days=1)


def check_arguments(stores: int, days: int, skus: int, first_store: int = 1) -> None:
    if not 1 <= stores <= MAX_STORES:
        raise HistoryError(f"stores must be from 1 to {MAX_STORES} (got {stores})")
    if not 1 <= first_store <= MAX_STORES + 1 - stores:
        raise HistoryError(
            f"first_store must be from 1 to {MAX_STORES + 1 - stores} for {stores} stores: store numbers "
            f"end at {MAX_STORES} (got {first_store})"
        )
    if not 1 <= days <= MAX_DAYS:
        raise HistoryError(f"days must be from 1 to {MAX_DAYS} (got {days})")
    if not MIN_SKUS <= skus <= max_skus():
        raise HistoryError(f"skus must be from {MIN_SKUS} to {max_skus()} (got {skus})")


def store_ids(stores: int, first_store: int = 1) -> list[str]:
    return [store_id(number) for number in range(first_store, first_store + stores)]


def refuse_stores_present(lakehouse: Path, ids: list[str]) -> None:
    """A history is written once: never into a lakehouse that holds events of these stores already."""
    path = EVENTS.path(lakehouse)
    if not DeltaTable.is_deltatable(str(path)):
        return
    present = {str(p["store_id"]) for p in DeltaTable(str(path)).partitions()}
    clash = sorted(present & set(ids))
    if clash:
        raise HistoryError(
            f"{lakehouse} already holds events of {', '.join(clash)}: a history would mix with them. "
            "Generate into an empty lakehouse directory, or number the stores after the ones there "
            "(--first-store)."
        )


def choose_workers(stores: int, days: int) -> int:
    """Worker processes for a history: one per core (at most one per store) once it is worth starting
    them (a process costs about a second to start)."""
    if stores * days < PROCESSES_FROM_STORE_DAYS:
        return 1
    return max(1, min(stores, os.cpu_count() or 1))


def generate_history(
    lakehouse: Path,
    stores: int,
    days: int,
    skus: int,
    seed: int,
    end: date | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
    first_store: int = 1,
) -> HistorySummary:
    """Generate `days` days (ending `end`, default yesterday) of `stores` stores selling `skus` SKUs into
    the lakehouse at `lakehouse`; the same arguments give the same contents (whatever `workers`: the
    processes that play the stores, by default one per core for a history worth it).

    The stores are the chain's numbers `first_store` onwards (1: MSU-01, TY-02, …; 3: MPT-03, …), so that
    a history can sit beside stores that have their own (live nodes, an earlier history): a lakehouse
    holding events of one of these stores is refused. The catalog and the stores are upserted into
    `products` and `stores` (a SKU or store written before is replaced), the labels into `fraud_labels`."""
    check_arguments(stores, days, skus, first_store)
    started = time.perf_counter()
    last_day = end or yesterday()
    first_day = last_day - timedelta(days=days - 1)
    refuse_stores_present(lakehouse, store_ids(stores, first_store))
    chain = build_chain(ChainArgs(stores, days, skus, seed, first_day, first_store))
    writer = LakehouseWriter(lakehouse)
    writer.create_tables()
    sink = EnvelopeSink(writer)
    report = progress or (lambda _: None)
    workers = choose_workers(stores, days) if workers is None else max(1, min(workers, stores))
    player: StorePlayer | ProcessPlayer
    player = ProcessPlayer(chain, workers) if workers > 1 else StorePlayer(chain, range(stores))
    try:
        day_done = 0
        for index, _, batch in player.days():
            if index > day_done:
                day_done = index
                report(HistoryProgress("generating", day_done, days, sink.written))
            sink.add(batch)
        sink.flush()
        outcomes = player.outcomes()
    finally:
        if isinstance(player, ProcessPlayer):
            player.close()
    generated = time.perf_counter()
    report(HistoryProgress("deriving", days, days, sink.written))
    stamp = end_of(last_day)
    labels = [label for outcome in outcomes for label in outcome.labels]
    writer.upsert(PRODUCTS, products_table(chain.catalog, chain.plan, stamp))
    writer.upsert(STORES, stores_table(chain.specs, stamp))
    writer.upsert(FRAUD_LABELS, labels_table(labels, stamp))
    derived = 0

    def on_pass(one: DerivePass) -> None:
        nonlocal derived
        derived += one.events
        report(HistoryProgress("deriving", days, days, sink.written, derived))

    Deriver(lakehouse).derive_pending(wait=True, on_pass=on_pass)
    finished = time.perf_counter()
    counts: Counter[str] = Counter()
    for outcome in outcomes:
        counts.update(outcome.counts)
    summary = HistorySummary(
        lakehouse=lakehouse,
        seed=seed,
        first_day=first_day,
        last_day=last_day,
        days=days,
        stores=tuple(spec.store_id for spec in chain.specs),
        skus=len(chain.catalog),
        events=sink.written,
        sales=counts["sales"],
        returns=counts["returns"],
        cancelled_sales=counts["cancelled"],
        no_sales=counts["no_sales"],
        shifts=counts["shifts"],
        stock_movements=sink.types["stock.moved"],
        fraud_labels=len(labels),
        fraudsters=tuple(f.describe() for f in chain.fraudsters),
        promotions=len(chain.plan.promotions),
        price_changes=chain.plan.price_changes,
        stockout_days=sum(outcome.stockout_days for outcome in outcomes),
        elasticities={CATEGORIES[i].name: e for i, e in sorted(chain.catalog.elasticity.items())},
        workers=workers,
        generate_seconds=generated - started,
        derive_seconds=finished - generated,
        seconds=finished - started,
    )
    report(HistoryProgress("done", days, days, sink.written, derived))
    log.info("generated %s; true elasticities %s", summary.describe(), summary.elasticities)
    return summary
