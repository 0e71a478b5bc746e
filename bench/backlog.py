"""A store node's outbox backlog of exactly N events, made by the node's own services while offline.

Selling over HTTP reaches ~200 sales/s on this machine, so 20,000 events would take 100 s. Instead the
till's operations run in-process through the node's own services and `Tx`, exactly as the HTTP handlers
call them, minus HTTP: `open_shift`, `open_sale`, `add_line` (by barcode, or a quick key by SKU),
`void_line` with a manager's PIN, `add_payment` (cash in LSL or ZAR, card with a reference) and
`complete_sale`. One whole sale is one durable transaction (WAL, synchronous=FULL, as the node's writer
commits), so every outbox row is the node's own envelope: its `seq`, its `event_id`, its receipt and its
`audit.recorded` of a void, through `append_event`. That reaches ~900 sales/s (~20 s for the backlog).

The baskets are those of the demo's simulated tills: 1–8 lines, 15 % quick keys, quantities 1–3, a void
in 10 % of the sales with two lines or more, 30 % card. The store is the demo store
(`seed_demo_store`: catalog, opening stock, staff), with 4 terminals each in an open shift.
"""

import random
import sqlite3
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from aiwebpos_edge.auth.secrets import load_or_create_secret
from aiwebpos_edge.clock import SystemClock
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.demo.catalog import demo_products
from aiwebpos_edge.demo.seed import seed_demo_store
from aiwebpos_edge.sales.checkout import add_payment, complete_sale
from aiwebpos_edge.sales.models import AddLine, NewPayment, NewSale
from aiwebpos_edge.sales.service import add_line, open_sale, void_line
from aiwebpos_edge.settings import load_settings
from aiwebpos_edge.shifts.service import OpenShift, open_shift
from aiwebpos_edge.tx import Actor, Tx

T = TypeVar("T")
CASHIERS = ((3, "thabo"), (4, "palesa"))  # user ids of the demo store's cashiers
MANAGER_PIN = "2222"  # lerato approves voids over the limit
TERMINALS = 4


class Backlog:
    def __init__(self, data_dir: Path, store_id: str, seed: int = 7) -> None:
        settings = load_settings(data_dir)
        seed_demo_store(settings, store_id)
        self.store_id, self.timezone = store_id, ZoneInfo(settings.timezone)
        self.secret = load_or_create_secret(settings.secret_path)
        self.conn = connect(Path(settings.data_dir) / "store.db")
        self.clock = SystemClock()
        self.rng = random.Random(seed)
        products = demo_products()
        self.codes = [p.barcodes[0] for p in products if p.barcodes]
        self.quick_keys = [p.sku for p in products if not p.barcodes and p.unit == "each"]
        self.tills: list[tuple[Actor, str]] = []

    def transaction(self, operation: Callable[[Tx], T]) -> T:
        """One operation as one durable transaction, as the node's writer runs it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            result = operation(Tx(self.conn, self.clock.now(), self.store_id, self.timezone))
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        return result

    def events(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()[0])

    def open_shifts(self) -> None:
        for i in range(TERMINALS):
            user_id, name = CASHIERS[i % len(CASHIERS)]
            actor = Actor(user_id, name, ("cashier",), f"T{i + 1}")
            shift = OpenShift(terminal_id=f"T{i + 1}", opening_float_cents=50_000)
            opened = self.transaction(partial(open_shift, actor=actor, data=shift))
            self.tills.append((actor, opened.id))

    def sell(self, tx: Tx, actor: Actor, shift_id: str, may_void: bool) -> None:
        rng = self.rng
        sale = open_sale(tx, actor, NewSale(terminal_id=str(actor.terminal_id), shift_id=shift_id))
        for _ in range(rng.randint(1, 8)):
            if rng.random() < 0.15:
                line = AddLine(sku=rng.choice(self.quick_keys))
            else:
                line = AddLine(barcode=rng.choice(self.codes), quantity=str(rng.choice([1, 1, 1, 2, 3])))
            sale = add_line(tx, actor, sale.id, line)
        if may_void and len(sale.lines) > 1 and rng.random() < 0.1:
            first = sale.lines[0].line_id
            sale = void_line(tx, self.secret, actor, sale.id, first, "customer changed mind", MANAGER_PIN)
        if rng.random() < 0.3:
            reference = f"AUTH{rng.randint(1000, 9999)}"
            payment = NewPayment(method="card", amount_cents=sale.outstanding_cents, reference=reference)
        else:
            due = sale.cash_due_cents
            tendered = due if rng.random() < 0.4 else (due // 5000 + 1) * 5000
            payment = NewPayment(
                method="cash", amount_cents=tendered, currency=rng.choice(["LSL", "LSL", "ZAR"])
            )
        sale = add_payment(tx, actor, sale.id, payment)
        complete_sale(tx, actor, sale.id, None)

    def fill(self, events: int, progress: Callable[[int], None]) -> int:
        """Sell until the outbox holds exactly `events` events; returns the number of sales."""
        self.open_shifts()
        sales, have = 0, self.events()
        while have < events:
            actor, shift_id = self.tills[sales % len(self.tills)]
            may_void = events - have >= 2  # a void adds an audit event to the sale's
            self.transaction(partial(self.sell, actor=actor, shift_id=shift_id, may_void=may_void))
            sales, have = sales + 1, self.events()
            if sales % 500 == 0:
                progress(have)
        progress(have)
        return sales

    def close(self) -> None:
        self.conn.close()


def build_backlog(
    data_dir: Path, store_id: str, events: int, progress: Callable[[int], None]
) -> dict[str, float]:
    """A demo store at `data_dir` whose outbox holds `events` unpublished events; what it holds."""
    backlog = Backlog(data_dir, store_id)
    try:
        sales = backlog.fill(events, progress)
    finally:
        backlog.close()
    with sqlite3.connect(data_dir / "store.db") as conn:
        by_type = dict(conn.execute("SELECT type, COUNT(*) FROM outbox GROUP BY type").fetchall())
        size = conn.execute("SELECT AVG(LENGTH(envelope)), SUM(LENGTH(envelope)) FROM outbox").fetchone()
    return {"sales": sales, "avg_envelope_bytes": size[0], "total_bytes": size[1], **by_type}
