"""The physical limits of a large catalog: the same writes and lookups as the node, by plain sqlite3."""

import csv
import random
import sqlite3
import time
from pathlib import Path

from aiwebpos_edge.catalog.service import fts_query
from aiwebpos_edge.db.migrate import migrate

CHUNK = 10_000  # the node's import writes in chunks of this many rows, one transaction each
AT = "2026-11-23T08:00:00.000Z"
BY_BARCODE = (
    "SELECT p.id, p.sku, p.name, p.price_cents, p.vat_class, p.unit, p.category, p.plu, p.active, b.code"
    " FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = ?"
)
BY_WORDS = (
    "SELECT p.id, p.sku, p.name, p.price_cents, p.vat_class, p.unit, p.category, p.plu, p.active"
    " FROM products_fts f JOIN products p ON p.id = f.rowid WHERE products_fts MATCH ? AND p.active = 1"
    " ORDER BY f.rank LIMIT ?"
)
SEARCH_LIMIT = 50  # what `GET /api/v1/products?q=` answers by default


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


def import_seconds(csv_path: Path, db_path: Path) -> float:
    """Read the CSV and write its products and barcodes into a migrated database (FTS triggers and
    all), CHUNK rows per durable transaction: the node's import without its checks and bookkeeping."""
    conn = connect(db_path)
    migrate(conn)
    started = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:]
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        conn.execute("BEGIN IMMEDIATE")
        first = conn.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM products").fetchone()[0]
        conn.executemany(
            "INSERT INTO products (id, sku, name, price_cents, vat_class, unit, category, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(first + i, r[0], r[1], int(r[2]), r[3], r[4], r[5], AT, AT) for i, r in enumerate(chunk)],
        )
        conn.executemany(
            "INSERT INTO barcodes (code, product_id) VALUES (?, ?)",
            [(code, first + i) for i, r in enumerate(chunk) for code in r[6].split("|") if code],
        )
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def barcode_latencies(db_path: Path, codes: list[str]) -> list[float]:
    conn = connect(db_path, readonly=True)
    out = []
    for code in codes:
        started = time.perf_counter()
        if not conn.execute(BY_BARCODE, (code,)).fetchall():
            raise RuntimeError(f"barcode {code} is not in the catalog")
        out.append(time.perf_counter() - started)
    conn.close()
    return out


def search_latencies(db_path: Path, queries: list[str]) -> list[float]:
    """The node's name search: the FTS match, then the barcodes of the products found."""
    conn = connect(db_path, readonly=True)
    out = []
    for text in queries:
        started = time.perf_counter()
        rows = conn.execute(BY_WORDS, (fts_query(text), SEARCH_LIMIT)).fetchall()
        ids = [row[0] for row in rows]
        marks = ",".join("?" * len(ids))
        conn.execute(
            f"SELECT code, product_id FROM barcodes WHERE product_id IN ({marks}) ORDER BY code", ids
        )
        out.append(time.perf_counter() - started)
    conn.close()
    return out


def two_word_queries(db_path: Path, count: int, seed: int) -> list[str]:
    """`count` searches a cashier might type: the first two words of random product names."""
    conn = connect(db_path, readonly=True)
    top = int(conn.execute("SELECT MAX(id) FROM products").fetchone()[0])
    ids = random.Random(seed).sample(range(1, top + 1), count)
    names = [conn.execute("SELECT name FROM products WHERE id = ?", (i,)).fetchone()[0] for i in ids]
    conn.close()
    return [" ".join(name.split()[:2]) for name in names]
