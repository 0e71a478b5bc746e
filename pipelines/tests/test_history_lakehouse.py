"""A small generated history, checked through the lakehouse as a data scientist reads it (DuckDB SQL)."""

import re
import uuid
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import msgspec
from history_support import payloads, rows, scalar

from aiwebpos_contracts import EVENT_PAYLOADS, Envelope, decode_envelope, encode_envelope
from aiwebpos_contracts.events import ReturnCompleted, SaleCancelled, SaleCompleted, ShiftClosed
from aiwebpos_pipelines.history import HistorySummary
from aiwebpos_pipelines.history.money import line_amount, vat_breakdown

History = tuple[Path, HistorySummary]


def test_seq_runs_from_one_without_gaps_and_in_time_order_per_store(small_history: History) -> None:
    lakehouse, summary = small_history
    per_store = rows(
        lakehouse,
        "SELECT store_id, min(seq) AS first, max(seq) AS last, count(*) AS n FROM events GROUP BY 1",
    )
    assert sorted(row["store_id"] for row in per_store) == sorted(summary.stores)
    assert all(row["first"] == 1 and row["last"] == row["n"] for row in per_store), per_store
    assert scalar(lakehouse, "SELECT count(*) FROM seq_gaps") == 0
    backwards = """
        SELECT count(*) FROM (
            SELECT occurred_at < lag(occurred_at) OVER (PARTITION BY store_id ORDER BY seq) AS back FROM events
        ) WHERE back"""
    assert scalar(lakehouse, backwards) == 0
    assert scalar(lakehouse, "SELECT count(*) FROM events") == summary.events


def test_every_event_is_a_valid_envelope_of_its_contract(small_history: History) -> None:
    lakehouse, _ = small_history
    found = rows(
        lakehouse,
        "SELECT event_id, v, type, store_id, terminal_id, seq, "
        "strftime(occurred_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS occurred_at, "
        "epoch_ms(occurred_at) AS ms, payload FROM events",
    )
    assert len({row["event_id"] for row in found}) == len(found)
    for row in found:
        struct = msgspec.json.decode(row["payload"], type=EVENT_PAYLOADS[row["type"]])
        envelope = Envelope(
            v=row["v"],
            event_id=row["event_id"],
            type=row["type"],
            store_id=row["store_id"],
            terminal_id=row["terminal_id"],
            seq=row["seq"],
            occurred_at=row["occurred_at"],
            payload=msgspec.to_builtins(struct),
        )
        assert decode_envelope(encode_envelope(envelope)) == envelope
        assert msgspec.json.decode(msgspec.json.encode(struct), type=type(struct)) == struct
        event_id = uuid.UUID(row["event_id"])
        assert event_id.version == 7 and event_id.int >> 80 == row["ms"], (
            "a UUIDv7 of the event's millisecond"
        )
    assert {row["type"] for row in found} >= {
        "sale.completed",
        "sale.cancelled",
        "return.completed",
        "shift.opened",
        "shift.closed",
        "drawer.opened",
        "stock.moved",
        "timeclock.punched",
        "account.changed",
    }


def test_receipt_numbers_are_gap_free_per_terminal(small_history: History) -> None:
    lakehouse, _ = small_history
    documents = rows(
        lakehouse,
        """SELECT store_id, terminal_id, receipt_no AS number, occurred_at FROM sales
           UNION ALL
           SELECT store_id, terminal_id, credit_note_no, occurred_at FROM returns
           ORDER BY store_id, terminal_id, occurred_at, number""",
    )
    numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for doc in documents:
        match = re.fullmatch(rf"{doc['store_id']}-{doc['terminal_id']}-(\d{{6}})", doc["number"])
        assert match, doc
        numbers[(doc["store_id"], doc["terminal_id"])].append(int(match[1]))
    assert len(numbers) >= 4
    for terminal, sequence in numbers.items():
        assert sequence == list(range(1, len(sequence) + 1)), terminal


def test_each_receipts_vat_and_totals_are_the_tills(small_history: History) -> None:
    lakehouse, _ = small_history
    receipts = [sale.receipt for sale in payloads(lakehouse, "sale.completed")]
    notes = [returned.receipt for returned in payloads(lakehouse, "return.completed")]
    for receipt in receipts + notes:
        assert receipt.vat_breakdown == vat_breakdown(
            (line.vat_class, line.total_cents) for line in receipt.lines
        )
        assert receipt.vat_cents == sum(row.vat_cents for row in receipt.vat_breakdown)
        assert receipt.total_cents == sum(line.total_cents for line in receipt.lines)
    for receipt in receipts:
        for line in receipt.lines:
            quantity = int(Decimal(line.quantity) * 1000)
            assert line.total_cents == line_amount(line.unit_price_cents, quantity) - line.discount_cents
        assert receipt.subtotal_cents - receipt.discount_cents == receipt.total_cents
        assert receipt.paid_cents - receipt.change_cents == receipt.total_cents
        cash = sum(p.amount_cents for p in receipt.payments if p.method == "cash")
        assert 0 <= receipt.change_cents <= cash
    assert sum(1 for r in receipts for line in r.lines if line.unit == "kg") > 0, "weighed items sold"


def test_z_reports_add_up_to_the_shifts_transactions(small_history: History) -> None:
    lakehouse, _ = small_history
    sales: dict[str, list[SaleCompleted]] = defaultdict(list)
    for sale in payloads(lakehouse, "sale.completed"):
        sales[sale.receipt.shift_id or ""].append(sale)
    refunds: dict[str, list[ReturnCompleted]] = defaultdict(list)
    for returned in payloads(lakehouse, "return.completed"):
        refunds[returned.receipt.shift_id or ""].append(returned)
    cancelled = Counter(c.shift_id for c in payloads(lakehouse, "sale.cancelled"))
    no_sales = Counter(d.shift_id for d in payloads(lakehouse, "drawer.opened"))
    account_cash = Counter[str]()
    reports = [closed.report for closed in payloads(lakehouse, "shift.closed")]
    opened = {o.shift_id: o for o in payloads(lakehouse, "shift.opened")}
    assert reports and len(reports) == len(opened)
    for report in reports:
        mine = sales[report.shift_id]
        assert report.opened_at == opened[report.shift_id].opened_at
        assert report.sales_count == len(mine)
        assert report.sales_total_cents == sum(s.receipt.total_cents for s in mine)
        cash_in = sum(p.amount_cents for s in mine for p in s.receipt.payments if p.method == "cash")
        assert report.cash_sales_cents == cash_in - sum(s.receipt.change_cents for s in mine)
        backs = refunds[report.shift_id]
        assert (report.returns_count, report.returns_cents) == (
            len(backs),
            sum(r.refund_cents for r in backs),
        )
        assert report.cash_refunds_cents == sum(r.refund_cents for r in backs if r.refund_method == "cash")
        assert report.cancelled_count == cancelled[report.shift_id]
        assert report.no_sales_count == no_sales[report.shift_id]
        assert report.voids_count == sum(len(s.voided_lines) for s in mine)
        assert report.voids_cents == sum(v.total_cents for s in mine for v in s.voided_lines)
        assert report.discounts_cents == sum(s.receipt.discount_cents for s in mine)
        cash_tenders = sum(t.amount_cents for t in report.tenders if t.method.startswith("cash"))
        assert report.expected_cash_cents == report.opening_float_cents + cash_tenders
        account_cash[report.shift_id] = sum(
            t.amount_cents for t in report.tenders if t.method == "cash_account_payment"
        )
        assert report.expected_cash_cents == (
            report.opening_float_cents
            + report.cash_sales_cents
            - report.cash_refunds_cents
            + account_cash[report.shift_id]
        )
        assert report.counted_cash_cents is not None
        assert report.variance_cents == report.counted_cash_cents - report.expected_cash_cents
        assert sum(row.gross_cents for row in report.vat) == report.sales_total_cents - report.returns_cents
    assert any(r.variance_cents for r in reports) and any(not r.variance_cents for r in reports)


def test_stock_never_goes_negative_and_sales_stop_at_a_stock_out(small_history: History) -> None:
    lakehouse, summary = small_history
    stocked = {row["sku"] for row in rows(lakehouse, "SELECT sku FROM products WHERE lead_time_days > 0")}
    events = rows(
        lakehouse,
        "SELECT store_id, type, payload FROM events WHERE type IN "
        "('stock.moved', 'sale.completed', 'return.completed') ORDER BY store_id, seq",
    )
    on_hand: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    emptied = 0
    for event in events:
        payload = msgspec.json.decode(event["payload"], type=EVENT_PAYLOADS[event["type"]])
        if event["type"] == "stock.moved":
            key = (event["store_id"], payload.sku)
            assert on_hand[key] + Decimal(payload.quantity) == Decimal(payload.on_hand), (key, payload)
            on_hand[key] = Decimal(payload.on_hand)
            assert on_hand[key] >= 0, (key, payload)
            continue
        moves = payload.lines if event["type"] == "return.completed" else payload.receipt.lines
        sign = 1 if event["type"] == "return.completed" else -1
        for line in moves:
            if line.sku in stocked:
                key = (event["store_id"], line.sku)
                on_hand[key] += sign * abs(Decimal(line.quantity))
                assert on_hand[key] >= 0, f"{key} sold below zero"
                emptied += on_hand[key] == 0
    assert emptied > 0 and summary.stockout_days > 0, "stock runs out now and then"


def test_fraud_labels_reference_transactions_that_exist(small_history: History) -> None:
    lakehouse, summary = small_history
    labels = rows(lakehouse, "SELECT * FROM fraud_labels")
    assert len(labels) == summary.fraud_labels > 0
    assert {label["kind"] for label in labels} >= {"shift", "sale"} and {
        label["source"] for label in labels
    } == {"generator"}
    found = {
        "sale": "SELECT store_id, receipt_no AS ref, shift_id, cashier FROM sales",
        "return": "SELECT store_id, credit_note_no AS ref, shift_id, cashier FROM returns",
        "cancel": "SELECT store_id, sale_id AS ref, shift_id, cashier FROM cancelled_sales",
        "drawer": "SELECT store_id, event_id AS ref, shift_id, cashier FROM drawer_openings",
        "shift": "SELECT store_id, shift_id AS ref, shift_id, cashier FROM shifts",
    }
    for kind, sql in found.items():
        existing = {(r["store_id"], r["ref"]): r for r in rows(lakehouse, sql)}
        for label in (label for label in labels if label["kind"] == kind):
            transaction = existing.get((label["store_id"], label["ref"]))
            assert transaction is not None, label
            assert (transaction["shift_id"], transaction["cashier"]) == (label["shift_id"], label["cashier"])
    shifts_labelled = {label["ref"] for label in labels if label["kind"] == "shift"}
    assert {label["shift_id"] for label in labels} == shifts_labelled, "every fraud's shift is labelled"


def test_derived_tables_hold_every_event_with_the_new_columns(small_history: History) -> None:
    lakehouse, summary = small_history
    assert scalar(lakehouse, "SELECT count(*) FROM sales") == summary.sales
    assert scalar(lakehouse, "SELECT count(*) FROM cancelled_sales") == summary.cancelled_sales > 0
    assert scalar(lakehouse, "SELECT count(*) FROM drawer_openings") == summary.no_sales > 0
    assert scalar(lakehouse, "SELECT count(*) FROM returns") == summary.returns > 0
    voided = sum(len(s.voided_lines) for s in payloads(lakehouse, "sale.completed"))
    assert scalar(lakehouse, "SELECT sum(voided_count) FROM sales") == voided > 0
    assert scalar(lakehouse, "SELECT count(*) FROM stock_movements") == summary.stock_movements


def test_the_history_has_every_tender_and_till_operation(small_history: History) -> None:
    lakehouse, _ = small_history
    tenders = rows(lakehouse, "SELECT DISTINCT method, currency FROM payments WHERE document = 'tax_invoice'")
    assert {(t["method"], t["currency"]) for t in tenders} >= {
        ("cash", "LSL"),
        ("cash", "ZAR"),
        ("card", "LSL"),
        ("mobile_money", "LSL"),
        ("account", "LSL"),
    }
    assert scalar(lakehouse, "SELECT count(*) FROM sale_lines WHERE discount_cents > 0") > 0
    assert scalar(lakehouse, "SELECT count(*) FROM sale_lines WHERE price_overridden") > 0
    kinds = {r["kind"] for r in rows(lakehouse, "SELECT DISTINCT kind FROM stock_movements")}
    assert kinds == {"receipt", "count", "adjustment"}
    cancelled: list[SaleCancelled] = payloads(lakehouse, "sale.cancelled")
    assert all(c.lines and c.total_cents == sum(line.total_cents for line in c.lines) for c in cancelled)
    closed: list[ShiftClosed] = payloads(lakehouse, "shift.closed")
    assert all(c.report.kind == "z" for c in closed)


def test_reference_tables_describe_the_catalog_and_the_stores(small_history: History) -> None:
    lakehouse, summary = small_history
    products = rows(lakehouse, "SELECT * FROM products")
    assert len(products) == summary.skus == 40
    assert {p["vat_class"] for p in products} == {"standard", "reduced", "zero", "exempt"}
    assert {p["unit"] for p in products} == {"each", "kg"}
    assert {p["category"] for p in products} == set(summary.elasticities)
    assert all(0 < p["cost_cents"] < p["price_cents"] for p in products)
    sold = {r["sku"] for r in rows(lakehouse, "SELECT DISTINCT sku FROM sale_lines")}
    assert sold <= {p["sku"] for p in products}
    stores = rows(lakehouse, "SELECT store_id, town FROM stores ORDER BY store_id")
    assert stores == [{"store_id": "MSU-01", "town": "Maseru"}, {"store_id": "TY-02", "town": "Teyateyaneng"}]
    assert all(-3.0 <= e <= -0.5 for e in summary.elasticities.values())
