"""The derived tables, computed with Polars from a day of one store's events (pure functions)."""

from datetime import UTC, date, datetime
from decimal import Decimal

import msgspec
import pyarrow as pa
from cloud_factories import Store

from aiwebpos_cloud.lakehouse.derive import derive_all
from aiwebpos_cloud.lakehouse.rows import events_table
from aiwebpos_cloud.lakehouse.tables import BY_NAME
from aiwebpos_contracts.events import VoidedLine

RECEIVED = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def _derived() -> dict[str, pa.Table]:
    return derive_all(events_table(list(Store().day(sales=2)), RECEIVED))


def test_every_derived_table_has_its_declared_schema() -> None:
    for name, rows in _derived().items():
        assert rows.schema == BY_NAME[name].schema, name


def test_a_sale_becomes_a_sales_row_its_lines_its_tenders_and_its_vat() -> None:
    derived = _derived()
    sale = derived["sales"].to_pylist()[0]
    assert sale["receipt_no"] == "MSU-01-T1-000001"
    assert (sale["total_cents"], sale["vat_cents"], sale["paid_cents"], sale["line_count"]) == (
        26_699,
        3_000,
        26_699,
        3,
    )
    assert (sale["store_id"], sale["date"], sale["terminal_id"], sale["fraud_score"]) == (
        "MSU-01",
        date(2026, 11, 23),
        "T1",
        0.02,
    )

    lines = [row for row in derived["sale_lines"].to_pylist() if row["event_id"] == sale["event_id"]]
    assert [(row["sku"], row["quantity"], row["unit"], row["vat_rate"]) for row in lines] == [
        ("MAIZE-10", Decimal("1.000"), "each", Decimal("15.0000")),
        ("BREAD-W", Decimal("2.000"), "each", Decimal("0.0000")),
        ("BEEF-MINCE", Decimal("0.750"), "kg", Decimal("15.0000")),
    ]
    assert sum(row["total_cents"] for row in lines) == sale["total_cents"]

    tenders = [row for row in derived["payments"].to_pylist() if row["event_id"] == sale["event_id"]]
    assert [(row["method"], row["amount_cents"], row["currency"]) for row in tenders] == [
        ("cash", 20_000, "ZAR"),
        ("card", 6_699, "LSL"),
    ]
    vat = [row for row in derived["receipt_vat"].to_pylist() if row["event_id"] == sale["event_id"]]
    assert sum(row["vat_cents"] for row in vat) == sale["vat_cents"]


def test_a_return_becomes_a_returns_row_its_lines_and_a_negative_refund() -> None:
    derived = _derived()
    [returned] = derived["returns"].to_pylist()
    assert (returned["credit_note_no"], returned["original_receipt_no"]) == (
        "MSU-01-T1-000004",
        "MSU-01-T1-000003",
    )
    assert (returned["refund_cents"], returned["approved_by"], returned["line_count"]) == (1_850, "lerato", 1)
    [line] = derived["return_lines"].to_pylist()
    assert (line["sku"], line["quantity"], line["refund_cents"]) == ("BREAD-W", Decimal("1.000"), 1_850)
    refunds = [row for row in derived["payments"].to_pylist() if row["document"] == "credit_note"]
    assert [(row["method"], row["amount_cents"]) for row in refunds] == [("cash", -1_850)]


def test_shifts_stock_and_timeclock_have_their_rows() -> None:
    derived = _derived()
    shifts = derived["shift_events"].to_pylist()
    assert [(row["event"], row["shift_id"]) for row in shifts] == [
        ("opened", "shift-1"),
        ("closed", "shift-1"),
    ]
    assert (shifts[1]["variance_cents"], shifts[1]["closed_at"]) == (
        -50,
        datetime(2026, 11, 23, 15, 30, 7, tzinfo=UTC),
    )
    [moved] = derived["stock_movements"].to_pylist()
    assert (moved["sku"], moved["kind"], moved["quantity"], moved["terminal_id"]) == (
        "MAIZE-10",
        "receipt",
        Decimal(40),
        None,
    )
    assert [row["direction"] for row in derived["timeclock"].to_pylist()] == ["in", "out"]


def test_a_batch_without_sales_derives_no_sales_tables() -> None:
    store = Store()
    derived = derive_all(events_table([store.punch("in"), store.stock_receipt()], RECEIVED))
    assert sorted(derived) == ["stock_movements", "timeclock"]


def test_voided_lines_are_counted_and_valued_on_the_sales_row() -> None:
    store = Store()
    voided = [
        VoidedLine(
            line_id=7, sku="COKE-2L", name="Coca-Cola 2 L", quantity="2", total_cents=5_598, reason="x"
        ),
        VoidedLine(line_id=9, sku="BREAD-W", name="White bread", quantity="1", total_cents=1_850, reason="y"),
    ]
    derived = derive_all(events_table([store.sale(voided), store.sale()], RECEIVED))
    rows = derived["sales"].to_pylist()
    assert [(row["voided_count"], row["voided_cents"]) for row in rows] == [(2, 7_448), (0, 0)]


def test_a_sale_event_of_an_older_node_without_voided_lines_has_none() -> None:
    sale = Store().sale()
    payload = dict(sale.payload)
    del payload["voided_lines"]
    older = msgspec.structs.replace(sale, payload=payload)
    [row] = derive_all(events_table([older], RECEIVED))["sales"].to_pylist()
    assert (row["voided_count"], row["voided_cents"]) == (0, 0)


def test_cancelled_sales_and_no_sales_have_their_tables() -> None:
    store = Store()
    derived = derive_all(events_table([store.cancelled_sale(), store.no_sale(), store.sale()], RECEIVED))
    [cancelled] = derived["cancelled_sales"].to_pylist()
    assert (cancelled["shift_id"], cancelled["cashier"], cancelled["reason"]) == (
        "shift-1",
        "thabo",
        "customer changed mind",
    )
    assert (cancelled["line_count"], cancelled["total_cents"], cancelled["terminal_id"]) == (2, 18_699, "T1")
    [opened] = derived["drawer_openings"].to_pylist()
    assert (opened["shift_id"], opened["cashier"], opened["reason"], opened["sale_id"]) == (
        "shift-1",
        "thabo",
        "change for the float",
        None,
    )
    assert derived["cancelled_sales"].schema == BY_NAME["cancelled_sales"].schema
    assert derived["drawer_openings"].schema == BY_NAME["drawer_openings"].schema
