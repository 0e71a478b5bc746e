"""The same seed gives the same lakehouse, whether the stores are played in one process or several."""

from datetime import date
from pathlib import Path
from typing import Any

from history_support import rows

from aiwebpos_pipelines.history import generate_history

END = date(2026, 2, 28)
_EVENTS = "SELECT event_id, type, store_id, terminal_id, seq, occurred_at, payload, received_at FROM events"


def _contents(lakehouse: Path) -> dict[str, list[dict[str, Any]]]:
    return {
        "events": rows(lakehouse, f"{_EVENTS} ORDER BY store_id, seq"),
        "sales": rows(lakehouse, "SELECT * FROM sales ORDER BY event_id"),
        "fraud_labels": rows(lakehouse, "SELECT * FROM fraud_labels ORDER BY label_id"),
        "products": rows(lakehouse, "SELECT * FROM products ORDER BY sku"),
        "stores": rows(lakehouse, "SELECT * FROM stores ORDER BY store_id"),
    }


def test_the_same_seed_gives_the_same_events_and_tables(tmp_path: Path) -> None:
    first = generate_history(tmp_path / "a", stores=1, days=4, skus=20, seed=3, end=END, workers=1)
    second = generate_history(tmp_path / "b", stores=1, days=4, skus=20, seed=3, end=END, workers=1)
    assert first.events == second.events > 0
    assert _contents(tmp_path / "a") == _contents(tmp_path / "b")


def test_another_seed_gives_another_history(tmp_path: Path) -> None:
    generate_history(tmp_path / "a", stores=1, days=2, skus=20, seed=3, end=END, workers=1)
    generate_history(tmp_path / "b", stores=1, days=2, skus=20, seed=4, end=END, workers=1)
    ids = [{r["event_id"] for r in rows(tmp_path / name, "SELECT event_id FROM events")} for name in "ab"]
    assert not ids[0] & ids[1]


def test_worker_processes_give_the_same_history_as_one_process(tmp_path: Path) -> None:
    alone = generate_history(tmp_path / "one", stores=2, days=3, skus=20, seed=5, end=END, workers=1)
    shared = generate_history(tmp_path / "two", stores=2, days=3, skus=20, seed=5, end=END, workers=2)
    assert (alone.workers, shared.workers) == (1, 2)
    assert _contents(tmp_path / "one") == _contents(tmp_path / "two")
