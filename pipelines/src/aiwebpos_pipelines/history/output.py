"""Into the lakehouse: each store's events as envelopes (seq per store, in time order) written through
the `LakehouseWriter` in batches, and the rows of the reference tables (products, stores, fraud labels).
"""

import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import msgspec
import pyarrow as pa  # type: ignore[import-untyped]

from aiwebpos_cloud.lakehouse.rows import RawEnvelope, parse_timestamp
from aiwebpos_cloud.lakehouse.tables import FRAUD_LABELS, PRODUCTS, STORES
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter
from aiwebpos_pipelines.history.catalog import Catalog
from aiwebpos_pipelines.history.categories import CATEGORIES
from aiwebpos_pipelines.history.fraud import FraudLabel
from aiwebpos_pipelines.history.moments import iso
from aiwebpos_pipelines.history.prices import PricePlan
from aiwebpos_pipelines.history.state import Event
from aiwebpos_pipelines.history.stores import StoreSpec

BATCH_SIZE = 20_000
_encoder = msgspec.json.Encoder()


def envelopes(store_id: str, events: list[Event], last_seq: int) -> list[RawEnvelope]:
    """A store's events in time order (ties in the order they happened), numbered after `last_seq`."""
    ordered = sorted(events, key=lambda event: (event[0], event[1]))
    return [
        RawEnvelope(
            event_id=event_id,
            type=kind,
            store_id=store_id,
            terminal_id=terminal,
            seq=seq,
            occurred_at=iso(ms),
            payload=msgspec.Raw(_encoder.encode(payload)),
        )
        for seq, (ms, _, kind, terminal, payload, event_id) in enumerate(ordered, start=last_seq + 1)
    ]


class EnvelopeSink:
    """Collects envelopes and writes them through the `LakehouseWriter` in batches of `batch_size`.

    `received_at` of a batch is its latest `occurred_at` (not the wall clock): the same seed gives the
    same lakehouse rows."""

    def __init__(self, writer: LakehouseWriter, batch_size: int = BATCH_SIZE) -> None:
        self.writer = writer
        self.batch_size = batch_size
        self.written = 0
        self.write_seconds = 0.0
        self.types: Counter[str] = Counter()
        self._pending: list[RawEnvelope] = []

    def add(self, batch: Sequence[RawEnvelope]) -> None:
        self._pending.extend(batch)
        for envelope in batch:
            self.types[envelope.type] += 1
        if len(self._pending) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._pending:
            return
        started = time.perf_counter()
        batch, self._pending = self._pending, []
        latest = max(envelope.occurred_at for envelope in batch)
        self.writer.write(batch, received_at=parse_timestamp(latest))
        self.written += len(batch)
        self.write_seconds += time.perf_counter() - started


def products_table(catalog: Catalog, plan: PricePlan, updated_at: datetime) -> pa.Table:
    """The catalog master as it stands at the end of the history (regular prices; costs moved with them)."""
    products = catalog.products
    last = plan.regular[-1].tolist()
    first = plan.regular[0].tolist()
    return pa.table(
        {
            "sku": [p.sku for p in products],
            "name": [p.name for p in products],
            "category": [CATEGORIES[p.category].name for p in products],
            "vat_class": [p.vat_class for p in products],
            "unit": [p.unit for p in products],
            "price_cents": last,
            "cost_cents": [max(1, round(p.cost_cents * last[i] / first[i])) for i, p in enumerate(products)],
            "pack_size": [p.pack_size for p in products],
            "lead_time_days": [p.lead_time_days for p in products],
            "introduced_on": [catalog.day_of(p.introduced) for p in products],
            "discontinued_on": [
                None if p.discontinued is None else catalog.day_of(p.discontinued) for p in products
            ],
            "updated_at": [updated_at] * len(products),
        },
        schema=PRODUCTS.schema,
    )


def stores_table(stores: list[StoreSpec], updated_at: datetime) -> pa.Table:
    return pa.table(
        {
            "store_id": [s.store_id for s in stores],
            "name": [s.name for s in stores],
            "town": [s.town for s in stores],
            "opened_on": [s.opened_on for s in stores],
            "updated_at": [updated_at] * len(stores),
        },
        schema=STORES.schema,
    )


def labels_table(labels: list[FraudLabel], labelled_at: datetime) -> pa.Table:
    return pa.table(
        {
            "label_id": [label.label_id for label in labels],
            "store_id": [label.store_id for label in labels],
            "date": [label.date for label in labels],
            "kind": [label.kind for label in labels],
            "ref": [label.ref for label in labels],
            "shift_id": [label.shift_id for label in labels],
            "cashier": [label.cashier for label in labels],
            "pattern": [label.pattern for label in labels],
            "source": ["generator"] * len(labels),
            "labelled_at": [labelled_at] * len(labels),
        },
        schema=FRAUD_LABELS.schema,
    )


def end_of(day: date) -> datetime:
    """Midnight UTC after `day`: when the history's reference rows are stamped (not the wall clock)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
