"""The chain a history is made of, built from the seed alone, and its stores played day by day.

Everything random comes from one seed: numpy's SeedSequence spawned into the catalog's, the prices',
the stores', the fraudsters' and one per store. So a store's days depend on the seed and its own
generator only: the stores can be played in any process, in any order, and come out the same.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from aiwebpos_cloud.lakehouse.rows import RawEnvelope
from aiwebpos_pipelines.history.catalog import Catalog, build_catalog
from aiwebpos_pipelines.history.day import trade_day
from aiwebpos_pipelines.history.demand import DemandModel
from aiwebpos_pipelines.history.fraud import FraudLabel, Fraudster, choose_fraudsters
from aiwebpos_pipelines.history.fraud_acts import commit_frauds
from aiwebpos_pipelines.history.output import envelopes
from aiwebpos_pipelines.history.prices import PricePlan, build_price_plan
from aiwebpos_pipelines.history.state import StoreRun, StoreState
from aiwebpos_pipelines.history.stock import StockBook
from aiwebpos_pipelines.history.stores import StoreSpec, build_stores


@dataclass(frozen=True)
class ChainArgs:
    """What a chain is built from (small, so a worker process can build its own copy)."""

    stores: int
    days: int
    skus: int
    seed: int
    first_day: date
    first_store: int = 1  # the number of the first store (MSU-01 is 1)


@dataclass
class Chain:
    args: ChainArgs
    catalog: Catalog
    plan: PricePlan
    specs: list[StoreSpec]
    fraudsters: list[Fraudster]
    model: DemandModel
    store_seeds: list[np.random.SeedSequence]

    def day(self, index: int) -> date:
        return self.args.first_day + timedelta(days=index)

    def store_days(self) -> Iterator[tuple[int, int]]:
        """(day index, store position) of every day a store trades, in the order the history is written."""
        for index in range(self.args.days):
            for position, spec in enumerate(self.specs):
                if spec.open_on(self.day(index)):
                    yield index, position


def build_chain(args: ChainArgs) -> Chain:
    parts = np.random.SeedSequence(args.seed).spawn(4 + args.stores)
    catalog = build_catalog(np.random.default_rng(parts[0]), args.skus, args.first_day, args.days)
    plan = build_price_plan(np.random.default_rng(parts[1]), catalog, args.days)
    specs = build_stores(
        np.random.default_rng(parts[2]), args.stores, args.first_day, args.days, args.first_store
    )
    fraudsters = choose_fraudsters(np.random.default_rng(parts[3]), specs, args.days)
    return Chain(args, catalog, plan, specs, fraudsters, DemandModel.of(catalog, args.days), parts[4:])


@dataclass
class StoreOutcome:
    """What a store's history adds up to, besides its events."""

    store_id: str
    labels: list[FraudLabel] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    stockout_days: int = 0


class StorePlayer:
    """Plays some stores of the chain through the history: their envelopes, store-day by store-day."""

    def __init__(self, chain: Chain, positions: Sequence[int]) -> None:
        self.chain = chain
        self.runs = {position: self._run(position) for position in positions}
        self.seqs = dict.fromkeys(positions, 0)

    def _run(self, position: int) -> StoreRun:
        chain, spec = self.chain, self.chain.specs[position]
        rng = np.random.default_rng(chain.store_seeds[position])
        size = len(chain.catalog)
        affinity = rng.lognormal(0, 0.25, size)  # local tastes
        z = float(rng.uniform(0.5, 1.3)) * rng.lognormal(0, 0.2, size)  # how safe its planner plays it
        stock = StockBook(chain.catalog, z, rng.lognormal(0, 0.15, size))
        return StoreRun(
            state=StoreState(spec, chain.catalog, chain.plan, rng, stock, affinity),
            model=chain.model,
            scale=chain.model.store_scale(spec.size),
            fraudsters={f.cashier: f for f in chain.fraudsters if f.store_id == spec.store_id},
            care={c.username: c.care for c in spec.cashiers},
        )

    def days(self) -> Iterator[tuple[int, int, list[RawEnvelope]]]:
        """(day index, store position, that store-day's envelopes), in `Chain.store_days` order."""
        for index, position in self.chain.store_days():
            run = self.runs.get(position)
            if run is None:
                continue
            trade_day(run, index, self.chain.day(index), commit_frauds)
            batch = envelopes(run.state.spec.store_id, run.state.events, self.seqs[position])
            self.seqs[position] += len(batch)
            run.state.events.clear()
            yield index, position, batch

    def outcomes(self) -> list[StoreOutcome]:
        return [
            StoreOutcome(run.state.spec.store_id, run.labels, run.state.counts, run.state.stock.stockouts)
            for run in self.runs.values()
        ]
