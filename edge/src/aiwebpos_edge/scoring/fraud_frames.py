"""From the node's own events to the frames the fraud model reads, column for column as the cloud.

The cloud trains on the lakehouse tables `sales`, `sale_lines`, `payments`, `returns` and the view
`shifts`, derived from these same events; the node builds the same columns from the events in its
outbox, so a sale is scored here as it would be there (a test compares the two paths).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import polars as pl

from aiwebpos_contracts.events import SHIFT_REPORT_FIGURES
from aiwebpos_models.fraud import FraudModel, transaction_features

Event = Mapping[str, Any]

_UTC = pl.Datetime("us", "UTC")
_SALES = {
    "receipt_no": pl.String,
    "store_id": pl.String,
    "shift_id": pl.String,
    "cashier": pl.String,
    "occurred_at": pl.String,
    "line_count": pl.Int64,
    "total_cents": pl.Int64,
    "discount_cents": pl.Int64,
    "voided_count": pl.Int64,
    "voided_cents": pl.Int64,
}
_LINES = {
    "receipt_no": pl.String,
    "price_overridden": pl.Boolean,
    "unit_price_cents": pl.Int64,
    "quantity": pl.Float64,
}
_PAYMENTS = {"receipt_no": pl.String, "method": pl.String, "amount_cents": pl.Int64}
_RETURNS = {
    "credit_note_no": pl.String,
    "original_receipt_no": pl.String,
    "store_id": pl.String,
    "shift_id": pl.String,
    "cashier": pl.String,
    "occurred_at": pl.String,
    "line_count": pl.Int64,
    "refund_cents": pl.Int64,
    "refund_method": pl.String,
}


def decode(envelopes: Iterable[str]) -> list[Event]:
    return [msgspec.json.decode(raw) for raw in envelopes]


def _timestamps(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    # As the cloud's derive reads them: ISO strings to UTC microseconds.
    return frame.with_columns(
        pl.col(c).str.to_datetime(time_zone="UTC", time_unit="us", strict=False).cast(_UTC) for c in columns
    )


@dataclass(frozen=True)
class TransactionFrames:
    sales: pl.DataFrame
    sale_lines: pl.DataFrame
    payments: pl.DataFrame
    returns: pl.DataFrame

    def features(self) -> pl.DataFrame:
        return transaction_features(self.sales, self.sale_lines, self.payments, self.returns)


def transaction_frames(events: Iterable[Event]) -> TransactionFrames:
    """`sale.completed` and `return.completed` events as the lakehouse's tables (others are ignored)."""
    sales: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    payments: list[dict[str, Any]] = []
    returns: list[dict[str, Any]] = []
    for event in events:
        if event["type"] not in ("sale.completed", "return.completed"):
            continue
        payload, receipt = event["payload"], event["payload"]["receipt"]
        number = receipt["receipt_no"]
        if event["type"] == "sale.completed":
            voided = payload.get("voided_lines") or []
            sales.append(
                {
                    "receipt_no": number,
                    "store_id": event["store_id"],
                    "shift_id": receipt.get("shift_id"),
                    "cashier": payload["cashier"],
                    "occurred_at": event["occurred_at"],
                    "line_count": len(receipt["lines"]),
                    "total_cents": receipt["total_cents"],
                    "discount_cents": receipt.get("discount_cents", 0),
                    "voided_count": len(voided),
                    "voided_cents": sum(v["total_cents"] for v in voided),
                }
            )
            lines.extend(
                {
                    "receipt_no": number,
                    "price_overridden": bool(line.get("price_overridden", False)),
                    "unit_price_cents": line["unit_price_cents"],
                    "quantity": float(line["quantity"]),
                }
                for line in receipt["lines"]
            )
        else:
            returns.append(
                {
                    "credit_note_no": number,
                    "original_receipt_no": payload["original_receipt_no"],
                    "store_id": event["store_id"],
                    "shift_id": receipt.get("shift_id"),
                    "cashier": payload["cashier"],
                    "occurred_at": event["occurred_at"],
                    "line_count": len(payload["lines"]),
                    "refund_cents": payload["refund_cents"],
                    "refund_method": payload["refund_method"],
                }
            )
        payments.extend(
            {"receipt_no": number, "method": p["method"], "amount_cents": p["amount_cents"]}
            for p in receipt["payments"]
        )
    return TransactionFrames(
        sales=_timestamps(pl.DataFrame(sales, schema=_SALES), "occurred_at"),
        sale_lines=pl.DataFrame(lines, schema=_LINES),
        payments=pl.DataFrame(payments, schema=_PAYMENTS),
        returns=_timestamps(pl.DataFrame(returns, schema=_RETURNS), "occurred_at"),
    )


def shift_frame(closed: Event) -> pl.DataFrame:
    """A `shift.closed` event as a row of the lakehouse view `shifts`."""
    report = closed["payload"]["report"]
    row: dict[str, Any] = {
        "store_id": closed["store_id"],
        "shift_id": report["shift_id"],
        "cashier": report["cashier"],
        "opened_at": report["opened_at"],
        "closed_at": report["closed_at"],
        **{name: report.get(name) for name in SHIFT_REPORT_FIGURES},
    }
    schema = {
        "store_id": pl.String,
        "shift_id": pl.String,
        "cashier": pl.String,
        "opened_at": pl.String,
        "closed_at": pl.String,
        **{name: pl.Int64 for name in SHIFT_REPORT_FIGURES},
    }
    return _timestamps(pl.DataFrame([row], schema=schema), "opened_at", "closed_at")


@dataclass(frozen=True)
class Verdict:
    score: float
    reasons: list[str]


def _scores(frame: pl.DataFrame, key: str) -> dict[str, Verdict]:
    return {
        row[key]: Verdict(float(row["score"]), list(row["reasons"]))
        for row in frame.select(key, "score", "reasons").iter_rows(named=True)
    }


def _receipt_no(event: Event) -> str:
    number: str = event["payload"]["receipt"]["receipt_no"]
    return number


def _scored(model: FraudModel, events: list[Event], context: list[Event]) -> pl.DataFrame:
    """`events` scored; `context` (the sales their returns undo) only informs the returns' features."""
    refs = {_receipt_no(e) for e in events}
    extra = [e for e in context if _receipt_no(e) not in refs]
    scored = model.score_transactions(transaction_frames([*events, *extra]).features())
    return scored.filter(pl.col("ref").is_in(sorted(refs)))


def score_transactions(model: FraudModel, events: list[Event], context: list[Event]) -> dict[str, Verdict]:
    """Each sale and return of `events`, by receipt or credit note number."""
    return _scores(_scored(model, events, context), "ref")


def score_shift(model: FraudModel, closed: Event, transactions: list[Event], context: list[Event]) -> Verdict:
    """The closed shift, from its Z report and the scores of its own transactions."""
    scored = model.score_shifts(shift_frame(closed), _scored(model, transactions, context))
    return _scores(scored, "shift_id")[closed["payload"]["report"]["shift_id"]]
