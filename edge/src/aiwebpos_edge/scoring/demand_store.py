"""SQL of the local demand forecast: what this store sold and took back, its products, its stock.

Lines are read from the receipts as issued (the same lines the cloud's `sale_lines` hold), with SQLite's
json_each doing the unpacking in C: a year of a busy store is a few hundred thousand lines.
"""

import sqlite3
from collections.abc import Sequence
from typing import Any

_CHUNK = 500  # SQLite's limit on bound parameters is generous, but a 300,000-product IN list is not


def sold_lines(conn: sqlite3.Connection, since: str) -> list[tuple[Any, ...]]:
    """(completed_at, sku, quantity, unit_price_cents, discount_cents, total_cents, price_overridden)."""
    return conn.execute(
        "SELECT s.completed_at, json_extract(l.value, '$.sku'), json_extract(l.value, '$.quantity'),"
        " json_extract(l.value, '$.unit_price_cents'), json_extract(l.value, '$.discount_cents'),"
        " json_extract(l.value, '$.total_cents'), COALESCE(json_extract(l.value, '$.price_overridden'), 0)"
        " FROM sales s, json_each(s.receipt, '$.lines') l"
        " WHERE s.status = 'completed' AND s.completed_at >= ?",
        (since,),
    ).fetchall()


def returned_lines(conn: sqlite3.Connection, since: str) -> list[tuple[Any, ...]]:
    """(created_at, sku, quantity) of every line taken back since `since`."""
    return conn.execute(
        "SELECT r.created_at, json_extract(l.value, '$.sku'), json_extract(l.value, '$.quantity')"
        " FROM returns r, json_each(r.receipt, '$.lines') l WHERE r.created_at >= ?",
        (since,),
    ).fetchall()


def products_with_stock(conn: sqlite3.Connection, skus: Sequence[str]) -> list[tuple[Any, ...]]:
    """(sku, name, category, unit, price_cents, active, on_hand_milli) of each of `skus`."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(skus), _CHUNK):
        chunk = list(skus[start : start + _CHUNK])
        marks = ", ".join("?" * len(chunk))
        rows += conn.execute(
            "SELECT p.sku, p.name, p.category, p.unit, p.price_cents, p.active,"
            " (SELECT COALESCE(SUM(m.quantity_milli), 0) FROM stock_movements m WHERE m.product_id = p.id)"
            f" FROM products p WHERE p.sku IN ({marks})",
            chunk,
        ).fetchall()
    return rows
