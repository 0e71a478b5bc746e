"""Reference tables (`products`, `stores`, `fraud_labels`): rows stored by key, replaced when written again."""

from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pytest
from cloud_support import query

from aiwebpos_cloud.lakehouse.tables import EVENTS, FRAUD_LABELS, PRODUCTS, STORES
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter

AT = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def _products(*rows: tuple[str, int]) -> pa.Table:
    return pa.table(
        {
            "sku": [sku for sku, _ in rows],
            "name": [f"Product {sku}" for sku, _ in rows],
            "category": ["groceries"] * len(rows),
            "vat_class": ["standard"] * len(rows),
            "unit": ["each"] * len(rows),
            "price_cents": [price for _, price in rows],
            "cost_cents": [price // 2 for _, price in rows],
            "pack_size": [12] * len(rows),
            "lead_time_days": [3] * len(rows),
            "introduced_on": [date(2025, 1, 1)] * len(rows),
            "discontinued_on": [None] * len(rows),
            "updated_at": [AT] * len(rows),
        }
    )


def test_upsert_inserts_new_keys_and_replaces_stored_ones(lakehouse: Path) -> None:
    writer = LakehouseWriter(lakehouse)
    first = writer.upsert(PRODUCTS, _products(("SUGAR-25", 5499), ("OIL-2L", 6999)))
    again = writer.upsert(PRODUCTS, _products(("SUGAR-25", 5799), ("RICE-2", 4299)))

    assert (first.inserted, first.updated) == (2, 0)
    assert (again.inserted, again.updated) == (1, 1)
    assert query(lakehouse, "SELECT sku, price_cents FROM products ORDER BY sku") == [
        {"sku": "OIL-2L", "price_cents": 6999},
        {"sku": "RICE-2", "price_cents": 4299},
        {"sku": "SUGAR-25", "price_cents": 5799},
    ]


def test_stores_and_fraud_labels_are_queryable_after_an_upsert(lakehouse: Path) -> None:
    writer = LakehouseWriter(lakehouse)
    writer.upsert(
        STORES,
        pa.table(
            {
                "store_id": ["MSU-01"],
                "name": ["Maseru Sunrise"],
                "town": ["Maseru"],
                "opened_on": [date(2020, 3, 1)],
                "updated_at": [AT],
            }
        ),
    )
    label = {
        "label_id": ["generator:sale:MSU-01-T1-000007"],
        "store_id": ["MSU-01"],
        "date": [date(2026, 11, 23)],
        "kind": ["sale"],
        "ref": ["MSU-01-T1-000007"],
        "shift_id": ["shift-1"],
        "cashier": ["thabo"],
        "pattern": ["sweethearting"],
        "source": ["generator"],
        "labelled_at": [AT],
    }
    writer.upsert(FRAUD_LABELS, pa.table(label))
    assert query(lakehouse, "SELECT town FROM stores") == [{"town": "Maseru"}]
    assert query(lakehouse, "SELECT kind, ref, pattern FROM fraud_labels") == [
        {"kind": "sale", "ref": "MSU-01-T1-000007", "pattern": "sweethearting"}
    ]


def test_upsert_refuses_rows_that_repeat_a_key_and_tables_that_are_not_reference(lakehouse: Path) -> None:
    writer = LakehouseWriter(lakehouse)
    with pytest.raises(ValueError, match="repeat a key"):
        writer.upsert(PRODUCTS, _products(("SUGAR-25", 5499), ("SUGAR-25", 5799)))
    with pytest.raises(ValueError, match="not a reference table"):
        writer.upsert(EVENTS, pa.table({"event_id": ["x"]}))
