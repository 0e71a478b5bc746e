"""The derived tables as pure functions of a batch of events (Polars), one `Derivation` per table.

They are functions of `events` alone, which is what lets them live off the ingest's path: the deriver
(`deriver.py`) applies them to the `events` versions committed since its last pass and MERGEs the rows
into each table on its key (`event_id`, plus the line within the event), so deriving the same events
again stores nothing twice; `aiwebpos-cloud lakehouse rebuild` applies them to the whole of `events`
(after a change of these functions, or to repair by hand).

A reader may see an event whose derived rows are not there yet (the deriver's lag, a second or so when
it keeps up); it never sees a derived row without its event.
"""

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]

from aiwebpos_cloud.lakehouse import tables
from aiwebpos_cloud.lakehouse.payload_dtypes import payload_dtype
from aiwebpos_cloud.lakehouse.tables import TableSpec
from aiwebpos_contracts.events import SHIFT_REPORT_FIGURES

_ORIGIN = ("event_id", "store_id", "date", "terminal_id", "occurred_at")
_QUANTITY = pl.Decimal(18, 3)
_RATE = pl.Decimal(9, 4)

P = pl.col("p")
RECEIPT = pl.col("receipt")


class EventBatch:
    """A batch of `events` rows as Polars, each event type's payloads decoded once and shared."""

    def __init__(self, events: pa.Table | pl.DataFrame) -> None:
        frame = events if isinstance(events, pl.DataFrame) else pl.from_arrow(events)
        assert isinstance(frame, pl.DataFrame)
        self.frame = frame
        self._decoded: dict[str, pl.DataFrame] = {}

    def has(self, event_types: tuple[str, ...]) -> bool:
        return bool(self.frame.select(pl.col("type").is_in(event_types).any()).item())

    def decoded(self, event_type: str) -> pl.DataFrame:
        """The events of one type with their payload decoded into the struct column `p`."""
        if event_type not in self._decoded:
            of_type = self.frame.filter(pl.col("type") == event_type)
            payload = pl.col("payload").str.json_decode(payload_dtype(event_type))
            self._decoded[event_type] = of_type.with_columns(payload.alias("p"))
        return self._decoded[event_type]


@dataclass(frozen=True)
class Derivation:
    spec: TableSpec
    event_types: tuple[str, ...]
    build: Callable[[EventBatch], pl.DataFrame]

    def derive(self, events: EventBatch) -> pa.Table:
        """This table's rows for a batch of events (of any types; the others are ignored)."""
        built = self.build(events).select(self.spec.schema.names)
        return built.to_arrow().cast(self.spec.schema)


def _timestamp(expression: pl.Expr) -> pl.Expr:
    return expression.str.to_datetime(time_zone="UTC", time_unit="us", strict=False)


def _field(column: pl.Expr, *path: str) -> pl.Expr:
    for name in path:
        column = column.struct.field(name)
    return column


def _receipts(events: EventBatch) -> pl.DataFrame:
    """Origin columns and `receipt` of every sale and every return (its credit note)."""
    frames = [
        events.decoded(event_type).select(*_ORIGIN, P.struct.field("receipt").alias("receipt"))
        for event_type in ("sale.completed", "return.completed")
    ]
    return pl.concat(frames)


def _exploded(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    return frame.explode(column).filter(pl.col(column).is_not_null())


def _sales(events: EventBatch) -> pl.DataFrame:
    sales = events.decoded("sale.completed")
    r = P.struct.field("receipt")
    return sales.select(
        *_ORIGIN,
        "seq",
        *(r.struct.field(name).alias(name) for name in ("receipt_no", "sale_id", "shift_id")),
        r.struct.field("document").fill_null("tax_invoice").alias("document"),
        P.struct.field("cashier").alias("cashier"),
        pl.coalesce(P.struct.field("customer_id"), r.struct.field("customer_id")).alias("customer_id"),
        r.struct.field("lines").list.len().cast(pl.Int64).alias("line_count"),
        *(
            r.struct.field(name).fill_null(0).alias(name)
            for name in (
                "subtotal_cents",
                "discount_cents",
                "total_cents",
                "vat_cents",
                "rounding_cents",
                "total_due_cents",
                "paid_cents",
                "change_cents",
            )
        ),
        _field(P, "fraud", "model").alias("fraud_model"),
        _field(P, "fraud", "score").alias("fraud_score"),
        P.struct.field("voided_lines").list.len().fill_null(0).cast(pl.Int64).alias("voided_count"),
        P.struct.field("voided_lines")
        .list.eval(pl.element().struct.field("total_cents"))
        .list.sum()
        .fill_null(0)
        .cast(pl.Int64)
        .alias("voided_cents"),
    )


def _sale_lines(events: EventBatch) -> pl.DataFrame:
    sales = events.decoded("sale.completed")
    r = P.struct.field("receipt")
    lines = sales.select(
        *_ORIGIN,
        r.struct.field("receipt_no").alias("receipt_no"),
        r.struct.field("sale_id").alias("sale_id"),
        r.struct.field("lines").alias("line"),
    )
    line = pl.col("line")
    return _exploded(lines, "line").select(
        *_ORIGIN,
        "receipt_no",
        "sale_id",
        *(
            line.struct.field(name).alias(name)
            for name in (
                "line_id",
                "sku",
                "name",
                "unit_price_cents",
                "discount_cents",
                "total_cents",
                "vat_class",
            )
        ),
        line.struct.field("quantity").cast(_QUANTITY, strict=False).alias("quantity"),
        line.struct.field("unit").fill_null("each").alias("unit"),
        line.struct.field("vat_rate").cast(_RATE, strict=False).alias("vat_rate"),
        line.struct.field("price_overridden").fill_null(False).alias("price_overridden"),
    )


def _payments(events: EventBatch) -> pl.DataFrame:
    payments = _receipts(events).select(
        *_ORIGIN,
        RECEIPT.struct.field("receipt_no").alias("receipt_no"),
        RECEIPT.struct.field("sale_id").alias("sale_id"),
        RECEIPT.struct.field("document").fill_null("tax_invoice").alias("document"),
        RECEIPT.struct.field("payments").alias("payment"),
    )
    payment = pl.col("payment")
    return _exploded(payments, "payment").select(
        *_ORIGIN,
        "receipt_no",
        "sale_id",
        "document",
        *(
            payment.struct.field(name).alias(name)
            for name in ("payment_id", "method", "amount_cents", "reference", "customer_id")
        ),
        payment.struct.field("currency").fill_null("LSL").alias("currency"),
    )


def _receipt_vat(events: EventBatch) -> pl.DataFrame:
    vat = _receipts(events).select(
        *_ORIGIN,
        RECEIPT.struct.field("receipt_no").alias("receipt_no"),
        RECEIPT.struct.field("document").fill_null("tax_invoice").alias("document"),
        RECEIPT.struct.field("vat_breakdown").alias("vat"),
    )
    row = pl.col("vat")
    return _exploded(vat, "vat").select(
        *_ORIGIN,
        "receipt_no",
        "document",
        *(
            row.struct.field(name).alias(name)
            for name in ("vat_class", "gross_cents", "net_cents", "vat_cents")
        ),
        row.struct.field("rate").cast(_RATE, strict=False).alias("rate"),
    )


def _returns(events: EventBatch) -> pl.DataFrame:
    returns = events.decoded("return.completed")
    r = P.struct.field("receipt")
    return returns.select(
        *_ORIGIN,
        *(
            P.struct.field(name).alias(name)
            for name in (
                "return_id",
                "original_receipt_no",
                "original_sale_id",
                "refund_method",
                "refund_cents",
                "reason",
                "cashier",
                "approved_by",
            )
        ),
        r.struct.field("receipt_no").alias("credit_note_no"),
        r.struct.field("shift_id").alias("shift_id"),
        r.struct.field("vat_cents").alias("vat_cents"),
        P.struct.field("lines").list.len().cast(pl.Int64).alias("line_count"),
    )


def _return_lines(events: EventBatch) -> pl.DataFrame:
    returns = events.decoded("return.completed").select(
        *_ORIGIN,
        P.struct.field("return_id").alias("return_id"),
        _field(P, "receipt", "receipt_no").alias("credit_note_no"),
        P.struct.field("original_receipt_no").alias("original_receipt_no"),
        P.struct.field("lines").alias("line"),
    )
    line = pl.col("line")
    return _exploded(returns, "line").select(
        *_ORIGIN,
        "return_id",
        "credit_note_no",
        "original_receipt_no",
        *(
            line.struct.field(name).alias(name)
            for name in ("line_id", "sku", "name", "refund_cents", "vat_class")
        ),
        line.struct.field("quantity").cast(_QUANTITY, strict=False).alias("quantity"),
    )


def _shift_events(events: EventBatch) -> pl.DataFrame:
    opened = events.decoded("shift.opened").select(
        *_ORIGIN,
        pl.lit("opened").alias("event"),
        P.struct.field("shift_id").alias("shift_id"),
        P.struct.field("terminal_id").alias("shift_terminal_id"),
        P.struct.field("cashier").alias("cashier"),
        _timestamp(P.struct.field("opened_at")).alias("opened_at"),
        P.struct.field("opening_float_cents").alias("opening_float_cents"),
    )
    report = P.struct.field("report")
    closed = events.decoded("shift.closed").select(
        *_ORIGIN,
        pl.lit("closed").alias("event"),
        report.struct.field("shift_id").alias("shift_id"),
        report.struct.field("terminal_id").alias("shift_terminal_id"),
        report.struct.field("cashier").alias("cashier"),
        _timestamp(report.struct.field("opened_at")).alias("opened_at"),
        _timestamp(report.struct.field("closed_at")).alias("closed_at"),
        report.struct.field("opening_float_cents").alias("opening_float_cents"),
        *(report.struct.field(name).alias(name) for name in SHIFT_REPORT_FIGURES),
        _field(P, "fraud", "score").alias("fraud_score"),
    )
    both = pl.concat([opened, closed], how="diagonal_relaxed")
    missing = [
        pl.lit(None).alias(name) for name in tables.SHIFT_EVENTS.schema.names if name not in both.columns
    ]
    return both.with_columns(missing)


def _stock_movements(events: EventBatch) -> pl.DataFrame:
    moved = events.decoded("stock.moved")
    return moved.select(
        *_ORIGIN,
        *(P.struct.field(name).alias(name) for name in ("sku", "kind", "reference", "reason")),
        P.struct.field("quantity").cast(_QUANTITY, strict=False).alias("quantity"),
        P.struct.field("on_hand").cast(_QUANTITY, strict=False).alias("on_hand"),
    )


def _timeclock(events: EventBatch) -> pl.DataFrame:
    punched = events.decoded("timeclock.punched")
    return punched.select(
        *_ORIGIN,
        P.struct.field("username").alias("username"),
        P.struct.field("direction").alias("direction"),
        _timestamp(P.struct.field("punched_at")).alias("punched_at"),
    )


def _cancelled_sales(events: EventBatch) -> pl.DataFrame:
    cancelled = events.decoded("sale.cancelled")
    return cancelled.select(
        *_ORIGIN,
        *(P.struct.field(name).alias(name) for name in ("sale_id", "shift_id", "cashier", "reason")),
        P.struct.field("lines").list.len().fill_null(0).cast(pl.Int64).alias("line_count"),
        P.struct.field("total_cents").alias("total_cents"),
    )


def _drawer_openings(events: EventBatch) -> pl.DataFrame:
    opened = events.decoded("drawer.opened")
    return opened.select(
        *_ORIGIN,
        *(P.struct.field(name).alias(name) for name in ("shift_id", "cashier", "reason", "sale_id")),
    )


_SALE = ("sale.completed",)
_RECEIPTS = ("sale.completed", "return.completed")
_RETURN = ("return.completed",)

DERIVATIONS: tuple[Derivation, ...] = (
    Derivation(tables.SALES, _SALE, _sales),
    Derivation(tables.SALE_LINES, _SALE, _sale_lines),
    Derivation(tables.PAYMENTS, _RECEIPTS, _payments),
    Derivation(tables.RECEIPT_VAT, _RECEIPTS, _receipt_vat),
    Derivation(tables.RETURNS, _RETURN, _returns),
    Derivation(tables.RETURN_LINES, _RETURN, _return_lines),
    Derivation(tables.SHIFT_EVENTS, ("shift.opened", "shift.closed"), _shift_events),
    Derivation(tables.STOCK_MOVEMENTS, ("stock.moved",), _stock_movements),
    Derivation(tables.TIMECLOCK, ("timeclock.punched",), _timeclock),
    Derivation(tables.CANCELLED_SALES, ("sale.cancelled",), _cancelled_sales),
    Derivation(tables.DRAWER_OPENINGS, ("drawer.opened",), _drawer_openings),
)
assert [d.spec.name for d in DERIVATIONS] == [t.name for t in tables.DERIVED], (
    "one derivation per derived table"
)


def derive_all(events: pa.Table | EventBatch) -> dict[str, pa.Table]:
    """Every derived table's rows for a batch of `events` rows; tables without rows are left out."""
    batch = events if isinstance(events, EventBatch) else EventBatch(events)
    return {d.spec.name: d.derive(batch) for d in DERIVATIONS if batch.has(d.event_types)}
