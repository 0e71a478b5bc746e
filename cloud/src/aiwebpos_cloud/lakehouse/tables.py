"""Every Delta table of the lakehouse, in one place: its name, Arrow schema, partitions and key.

A lakehouse is a directory with one Delta table per sub-directory (`DIR/events`, `DIR/sales`, …).
`events` is the source of truth; the derived tables are functions of it (see `derive.py`), so they can
be rebuilt from it at any time. The key of each table is what makes a write idempotent: a row whose key
is already stored is never stored again.
"""

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa  # type: ignore[import-untyped]

TIMESTAMP = pa.timestamp("us", tz="UTC")
QUANTITY = pa.decimal128(18, 3)  # quantities travel as decimal strings ("0.750" kg); never a float
RATE = pa.decimal128(9, 4)  # VAT rates in percent ("15", "12.5")


@dataclass(frozen=True)
class TableSpec:
    name: str
    schema: pa.Schema
    key: tuple[str, ...]
    partition_by: tuple[str, ...] = ()
    description: str = ""

    def path(self, lakehouse: Path) -> Path:
        return lakehouse / self.name


def _schema(*fields: tuple[str, pa.DataType, bool]) -> pa.Schema:
    return pa.schema([pa.field(name, kind, nullable=nullable) for name, kind, nullable in fields])


# Columns every derived row carries: which event it came from, and the partitions.
_ORIGIN = (
    ("event_id", pa.string(), False),
    ("store_id", pa.string(), False),
    ("date", pa.date32(), False),
    ("terminal_id", pa.string(), True),
    ("occurred_at", TIMESTAMP, False),
)
_BY_STORE_DAY = ("store_id", "date")

EVENTS = TableSpec(
    "events",
    _schema(
        ("event_id", pa.string(), False),
        ("v", pa.int32(), False),
        ("type", pa.string(), False),
        ("store_id", pa.string(), False),
        ("terminal_id", pa.string(), True),
        ("seq", pa.int64(), False),
        ("occurred_at", TIMESTAMP, False),
        ("date", pa.date32(), False),
        ("payload", pa.string(), False),
        ("received_at", TIMESTAMP, False),
    ),
    key=("event_id",),
    partition_by=_BY_STORE_DAY,
    description="one row per business event, exactly once per event_id; `date` is the UTC date of occurred_at",
)

DEAD_LETTERS = TableSpec(
    "dead_letters",
    _schema(
        ("dead_letter_id", pa.string(), False),
        ("received_at", TIMESTAMP, False),
        ("topic", pa.string(), False),
        ("payload", pa.string(), False),
        ("payload_encoding", pa.string(), False),
        ("reason", pa.string(), False),
        ("store_id", pa.string(), True),
        ("event_id", pa.string(), True),
    ),
    key=("dead_letter_id",),
    description="messages that could not be stored as events, with the reason; payload as UTF-8 text or base64",
)

SALES = TableSpec(
    "sales",
    _schema(
        *_ORIGIN,
        ("seq", pa.int64(), False),
        ("receipt_no", pa.string(), False),
        ("sale_id", pa.string(), False),
        ("document", pa.string(), False),
        ("shift_id", pa.string(), True),
        ("cashier", pa.string(), False),
        ("customer_id", pa.string(), True),
        ("line_count", pa.int64(), False),
        ("subtotal_cents", pa.int64(), False),
        ("discount_cents", pa.int64(), False),
        ("total_cents", pa.int64(), False),
        ("vat_cents", pa.int64(), False),
        ("rounding_cents", pa.int64(), False),
        ("total_due_cents", pa.int64(), False),
        ("paid_cents", pa.int64(), False),
        ("change_cents", pa.int64(), False),
        ("fraud_model", pa.string(), True),
        ("fraud_score", pa.float64(), True),
        ("voided_count", pa.int64(), False),
        ("voided_cents", pa.int64(), False),
    ),
    key=("event_id",),
    partition_by=_BY_STORE_DAY,
    description="one row per completed sale (sale.completed); occurred_at is when it completed; "
    "voided_count and voided_cents: the lines voided before completion (0 when the event names none)",
)

SALE_LINES = TableSpec(
    "sale_lines",
    _schema(
        *_ORIGIN,
        ("receipt_no", pa.string(), False),
        ("sale_id", pa.string(), False),
        ("line_id", pa.int64(), False),
        ("sku", pa.string(), False),
        ("name", pa.string(), False),
        ("quantity", QUANTITY, False),
        ("unit", pa.string(), False),
        ("unit_price_cents", pa.int64(), False),
        ("discount_cents", pa.int64(), False),
        ("total_cents", pa.int64(), False),
        ("vat_class", pa.string(), False),
        ("vat_rate", RATE, False),
        ("price_overridden", pa.bool_(), False),
    ),
    key=("event_id", "line_id"),
    partition_by=_BY_STORE_DAY,
    description="one row per line of a completed sale's receipt",
)

PAYMENTS = TableSpec(
    "payments",
    _schema(
        *_ORIGIN,
        ("receipt_no", pa.string(), False),
        ("sale_id", pa.string(), False),
        ("document", pa.string(), False),
        ("payment_id", pa.int64(), False),
        ("method", pa.string(), False),
        ("amount_cents", pa.int64(), False),
        ("currency", pa.string(), False),
        ("reference", pa.string(), True),
        ("customer_id", pa.string(), True),
    ),
    key=("event_id", "payment_id"),
    partition_by=_BY_STORE_DAY,
    description="tenders of sales and refunds of credit notes (negative amount_cents, document 'credit_note')",
)

RECEIPT_VAT = TableSpec(
    "receipt_vat",
    _schema(
        *_ORIGIN,
        ("receipt_no", pa.string(), False),
        ("document", pa.string(), False),
        ("vat_class", pa.string(), False),
        ("rate", RATE, False),
        ("gross_cents", pa.int64(), False),
        ("net_cents", pa.int64(), False),
        ("vat_cents", pa.int64(), False),
    ),
    key=("event_id", "vat_class"),
    partition_by=_BY_STORE_DAY,
    description="the VAT breakdown of every receipt and credit note (credit notes negative)",
)

RETURNS = TableSpec(
    "returns",
    _schema(
        *_ORIGIN,
        ("return_id", pa.string(), False),
        ("credit_note_no", pa.string(), False),
        ("original_receipt_no", pa.string(), False),
        ("original_sale_id", pa.string(), False),
        ("shift_id", pa.string(), True),
        ("refund_method", pa.string(), False),
        ("refund_cents", pa.int64(), False),
        ("vat_cents", pa.int64(), False),
        ("reason", pa.string(), False),
        ("cashier", pa.string(), False),
        ("approved_by", pa.string(), True),
        ("line_count", pa.int64(), False),
    ),
    key=("event_id",),
    partition_by=_BY_STORE_DAY,
    description="one row per return (return.completed); refund_cents positive, vat_cents as on the credit note",
)

RETURN_LINES = TableSpec(
    "return_lines",
    _schema(
        *_ORIGIN,
        ("return_id", pa.string(), False),
        ("credit_note_no", pa.string(), False),
        ("original_receipt_no", pa.string(), False),
        ("line_id", pa.int64(), False),
        ("sku", pa.string(), False),
        ("name", pa.string(), False),
        ("quantity", QUANTITY, False),
        ("refund_cents", pa.int64(), False),
        ("vat_class", pa.string(), False),
    ),
    key=("event_id", "line_id"),
    partition_by=_BY_STORE_DAY,
    description="one row per returned line; line_id is the line of the original receipt",
)

SHIFT_EVENTS = TableSpec(
    "shift_events",
    _schema(
        *_ORIGIN,
        ("event", pa.string(), False),
        ("shift_id", pa.string(), False),
        ("shift_terminal_id", pa.string(), False),
        ("cashier", pa.string(), False),
        ("opened_at", TIMESTAMP, True),
        ("closed_at", TIMESTAMP, True),
        ("opening_float_cents", pa.int64(), False),
        ("cash_sales_cents", pa.int64(), True),
        ("cash_refunds_cents", pa.int64(), True),
        ("expected_cash_cents", pa.int64(), True),
        ("counted_cash_cents", pa.int64(), True),
        ("variance_cents", pa.int64(), True),
        ("sales_count", pa.int64(), True),
        ("sales_total_cents", pa.int64(), True),
        ("voids_count", pa.int64(), True),
        ("voids_cents", pa.int64(), True),
        ("discounts_count", pa.int64(), True),
        ("discounts_cents", pa.int64(), True),
        ("returns_count", pa.int64(), True),
        ("returns_cents", pa.int64(), True),
        ("cancelled_count", pa.int64(), True),
        ("no_sales_count", pa.int64(), True),
        ("rounding_cents", pa.int64(), True),
        ("fraud_score", pa.float64(), True),
    ),
    key=("event_id",),
    partition_by=_BY_STORE_DAY,
    description="one row per shift.opened ('opened') and shift.closed ('closed', the Z report); view `shifts`",
)

STOCK_MOVEMENTS = TableSpec(
    "stock_movements",
    _schema(
        *_ORIGIN,
        ("sku", pa.string(), False),
        ("quantity", QUANTITY, False),
        ("kind", pa.string(), False),
        ("reference", pa.string(), True),
        ("reason", pa.string(), True),
        ("on_hand", QUANTITY, True),
    ),
    key=("event_id",),
    partition_by=_BY_STORE_DAY,
    description="stock.moved events: receipts of goods, adjustments, counts, transfers (sales are in sale_lines)",
)

TIMECLOCK = TableSpec(
    "timeclock",
    _schema(
        *_ORIGIN,
        ("username", pa.string(), False),
        ("direction", pa.string(), False),
        ("punched_at", TIMESTAMP, True),
    ),
    key=("event_id",),
    partition_by=_BY_STORE_DAY,
    description="timeclock.punched events: staff clocking in and out",
)

CANCELLED_SALES = TableSpec(
    "cancelled_sales",
    _schema(
        *_ORIGIN,
        ("sale_id", pa.string(), False),
        ("shift_id", pa.string(), False),
        ("cashier", pa.string(), False),
        ("reason", pa.string(), False),
        ("line_count", pa.int64(), False),
        ("total_cents", pa.int64(), False),
    ),
    key=("event_id",),
    partition_by=_BY_STORE_DAY,
    description="one row per sale.cancelled: the sale, its shift and cashier, the reason, what had been scanned",
)

DRAWER_OPENINGS = TableSpec(
    "drawer_openings",
    _schema(
        *_ORIGIN,
        ("shift_id", pa.string(), True),
        ("cashier", pa.string(), False),
        ("reason", pa.string(), False),
        ("sale_id", pa.string(), True),
    ),
    key=("event_id",),
    partition_by=_BY_STORE_DAY,
    description="one row per drawer.opened: the drawer opened without a sale (a no-sale), with the reason",
)

DERIVED: tuple[TableSpec, ...] = (
    SALES,
    SALE_LINES,
    PAYMENTS,
    RECEIPT_VAT,
    RETURNS,
    RETURN_LINES,
    SHIFT_EVENTS,
    STOCK_MOVEMENTS,
    TIMECLOCK,
    CANCELLED_SALES,
    DRAWER_OPENINGS,
)

# Reference tables: not events, and not derived from them; written whole rows at a time with
# `LakehouseWriter.upsert` (a row whose key is stored replaces it).
PRODUCTS = TableSpec(
    "products",
    _schema(
        ("sku", pa.string(), False),
        ("name", pa.string(), False),
        ("category", pa.string(), False),
        ("vat_class", pa.string(), False),
        ("unit", pa.string(), False),
        ("price_cents", pa.int64(), False),
        ("cost_cents", pa.int64(), False),
        ("pack_size", pa.int64(), False),
        ("lead_time_days", pa.int64(), False),
        ("introduced_on", pa.date32(), False),
        ("discontinued_on", pa.date32(), True),
        ("updated_at", TIMESTAMP, False),
    ),
    key=("sku",),
    description="The catalog master: written by HQ (a later issue) or by the history generator. price_cents "
    "is the regular shelf price (VAT-inclusive), cost_cents the unit cost excluding VAT, pack_size the "
    "units (kg for weighed items) per case ordered, lead_time_days from order to delivery (0: not stocked, "
    "e.g. airtime and electricity tokens)",
)

STORES = TableSpec(
    "stores",
    _schema(
        ("store_id", pa.string(), False),
        ("name", pa.string(), False),
        ("town", pa.string(), False),
        ("opened_on", pa.date32(), False),
        ("updated_at", TIMESTAMP, False),
    ),
    key=("store_id",),
    description="the chain's stores: name, town and the day each opened",
)

FRAUD_LABELS = TableSpec(
    "fraud_labels",
    _schema(
        ("label_id", pa.string(), False),
        ("store_id", pa.string(), False),
        ("date", pa.date32(), False),
        ("kind", pa.string(), False),
        ("ref", pa.string(), False),
        ("shift_id", pa.string(), True),
        ("cashier", pa.string(), False),
        ("pattern", pa.string(), False),
        ("source", pa.string(), False),
        ("labelled_at", TIMESTAMP, False),
    ),
    key=("label_id",),
    description="Ground truth of cashier fraud. kind 'sale' (ref: receipt_no), 'return' (credit_note_no), "
    "'cancel' (sale_id), 'drawer' (the drawer.opened event_id) or 'shift' (shift_id); source 'generator' "
    "(the history generator) or 'review' (HQ reviewers); date is the store's local date",
)

PRICE_DECISIONS = TableSpec(
    "price_decisions",
    _schema(
        ("recommendation_id", pa.string(), False),
        ("decision", pa.string(), False),
        ("decided_by", pa.string(), False),
        ("decided_at", TIMESTAMP, False),
        ("note", pa.string(), True),
        ("store_id", pa.string(), True),
        ("sku", pa.string(), False),
        ("kind", pa.string(), False),
        ("current_price_cents", pa.int64(), False),
        ("recommended_price_cents", pa.int64(), False),
    ),
    key=("recommendation_id",),
    description="A manager's decision on a price recommendation: 'approved' or 'rejected', by whom and when, "
    "with the proposal as it was decided (HQ pushes approved prices to the stores)",
)

REFERENCE: tuple[TableSpec, ...] = (PRODUCTS, STORES, FRAUD_LABELS, PRICE_DECISIONS)
ALL_TABLES: tuple[TableSpec, ...] = (EVENTS, DEAD_LETTERS, *DERIVED, *REFERENCE)
BY_NAME = {spec.name: spec for spec in ALL_TABLES}
