"""The physical limit of a sale: the rows one sale writes, by plain sqlite3, with the node's durability.

One transaction per sale (WAL, synchronous=FULL: every COMMIT waits for its fsync) into a database made
by the node's own migrations. Each sale writes 1 sales row, 5 sale_lines, 1 payment, the receipt counter
upsert, the sale's completing update with its receipt JSON, 5 stock_movements and 1 outbox row with its
envelope: exactly what a completed 5-line sale leaves behind, with none of the HTTP, pricing or checks.
"""

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from aiwebpos_contracts import uuid7
from aiwebpos_edge.db.migrate import migrate

AT = "2026-11-23T08:00:00.000Z"
LINES = 5


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def prepare(path: Path, terminals: list[str], products: int = 30) -> None:
    """A migrated database with a store, a cashier, some products and one open shift per terminal."""
    conn = connect(path)
    migrate(conn)
    conn.execute("BEGIN")
    conn.execute("INSERT INTO store (store_id, name, created_at) VALUES ('RAW-01', 'raw', ?)", (AT,))
    conn.execute(
        "INSERT INTO users (id, username, password_hash, roles, created_at, updated_at)"
        " VALUES (1, 'raw', 'x', '[\"cashier\"]', ?, ?)",
        (AT, AT),
    )
    conn.executemany(
        "INSERT INTO products (id, sku, name, price_cents, vat_class, unit, created_at, updated_at)"
        " VALUES (?, ?, ?, 1999, 'standard', 'each', ?, ?)",
        [(i, f"RAW-{i}", f"Raw product {i}", AT, AT) for i in range(1, products + 1)],
    )
    conn.executemany(
        "INSERT INTO shifts (id, terminal_id, user_id, status, opening_float_cents, opened_at)"
        " VALUES (?, ?, 1, 'open', 50000, ?)",
        [(f"shift-{t}", t, AT) for t in terminals],
    )
    conn.execute("COMMIT")
    conn.close()


@dataclass(frozen=True)
class Payload:
    """The two JSON texts a completed sale stores, sized like the node's real ones."""

    receipt: str
    envelope: str

    @classmethod
    def sized(cls, receipt_bytes: int, envelope_bytes: int) -> "Payload":
        return cls(_json_of(receipt_bytes), _json_of(envelope_bytes))


def _json_of(size: int) -> str:
    head = '{"kind":"raw","filler":"'
    return head + "x" * max(0, size - len(head) - 2) + '"}'


def write_sale(conn: sqlite3.Connection, terminal: str, n: int, payload: Payload) -> None:
    sale_id, execute = str(uuid7()), conn.execute
    execute("BEGIN IMMEDIATE")
    execute(
        "INSERT INTO sales (id, terminal_id, shift_id, user_id, status, created_at, updated_at)"
        " VALUES (?, ?, ?, 1, 'open', ?, ?)",
        (sale_id, terminal, f"shift-{terminal}", AT, AT),
    )
    for i in range(LINES):
        execute(
            "INSERT INTO sale_lines (sale_id, product_id, sku, name, unit, vat_class, barcode, quantity_milli,"
            " unit_price_cents, list_price_cents, created_at)"
            " VALUES (?, ?, ?, 'Raw product', 'each', 'standard', '6001234567890', 1000, 1999, 1999, ?)",
            (sale_id, 1 + (n + i) % 30, f"RAW-{1 + (n + i) % 30}", AT),
        )
    execute(
        "INSERT INTO payments (sale_id, method, amount_cents, currency, created_at)"
        " VALUES (?, 'cash', 10000, 'LSL', ?)",
        (sale_id, AT),
    )
    number = execute(
        "INSERT INTO receipt_counters (terminal_id, last_no) VALUES (?, 1)"
        " ON CONFLICT (terminal_id) DO UPDATE SET last_no = last_no + 1 RETURNING last_no",
        (terminal,),
    ).fetchone()[0]
    receipt_no = f"RAW-01-{terminal}-{number:08d}"
    execute(
        "UPDATE sales SET status = 'completed', completed_at = ?, receipt_no = ?, receipt = ?, total_cents = 9995,"
        " vat_cents = 1304, discount_cents = 0, rounding_cents = 0, paid_cents = 10000, change_cents = 5,"
        " updated_at = ? WHERE id = ?",
        (AT, receipt_no, payload.receipt, AT, sale_id),
    )
    for i in range(LINES):
        execute(
            "INSERT INTO stock_movements (product_id, quantity_milli, kind, reference, user_id, created_at)"
            " VALUES (?, -1000, 'sale', ?, 1, ?)",
            (1 + (n + i) % 30, receipt_no, AT),
        )
    seq = execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM outbox").fetchone()[0]
    execute(
        "INSERT INTO outbox (seq, event_id, type, terminal_id, occurred_at, envelope)"
        " VALUES (?, ?, 'sale.completed', ?, ?, ?)",
        (seq, str(uuid7()), terminal, AT, payload.envelope),
    )
    execute("COMMIT")


def sell(
    path: Path, terminals: list[str], threads: int, seconds: float, payload: Payload
) -> dict[str, float]:
    """Sell for `seconds` from `threads` threads (each its own connection and share of the terminals)."""
    counts, cpu = [0] * threads, [0.0] * threads
    start = threading.Barrier(threads + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        conn = connect(path)
        mine = terminals[index::threads] or terminals[:1]
        start.wait()
        n, cpu0 = 0, time.thread_time()
        while time.perf_counter() < deadline[0]:
            write_sale(conn, mine[n % len(mine)], n, payload)
            n += 1
        counts[index], cpu[index] = n, time.thread_time() - cpu0
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,), name=f"raw-{i}") for i in range(threads)]
    for thread in pool:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in pool:
        thread.join()
    elapsed, sales = time.perf_counter() - began, max(1, sum(counts))
    return {
        "sales_per_s": sales / elapsed,
        "seconds_per_sale": elapsed * threads / sales,  # how long one sale's transaction takes a writer
        "cpu_ms_per_sale": sum(cpu) / sales * 1000,
        "sales": sales,
        "seconds": elapsed,
    }
