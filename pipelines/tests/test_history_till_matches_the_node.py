"""The generator's till arithmetic gives the node's answers (it re-implements them so that the cloud side
never installs the node): VAT, line amounts, quantities, refunds, Z reports, UUIDv7 ids."""

import uuid

import numpy as np
import pytest

from aiwebpos_contracts.ids import uuid7_from
from aiwebpos_contracts.receipts import PaymentRecord, ReceiptLine, VatClass
from aiwebpos_edge import money as node_money
from aiwebpos_edge import vat as node_vat
from aiwebpos_edge.returns.refunds import refund_for as node_refund_for
from aiwebpos_edge.shifts.report import (
    PaymentFacts,
    ReturnFacts,
    SaleFacts,
    ShiftActivity,
    ShiftFacts,
    VoidedLineFacts,
    shift_report,
)
from aiwebpos_pipelines.history import money, till
from aiwebpos_pipelines.history.moments import Ids
from aiwebpos_pipelines.history.zreport import ShiftTally

CLASSES: tuple[VatClass, ...] = ("standard", "reduced", "zero", "exempt")
RATES = {"standard": 1500, "reduced": 1000}


def test_vat_line_amounts_and_quantities_are_the_nodes() -> None:
    rng = np.random.default_rng(1)
    for _ in range(2000):
        lines = [
            (CLASSES[int(rng.integers(4))], int(rng.integers(-50_000, 200_000)))
            for _ in range(int(rng.integers(1, 8)))
        ]
        ours = money.vat_breakdown(lines)
        theirs = node_vat.vat_breakdown(lines, RATES)  # type: ignore[arg-type]
        assert [(v.vat_class, v.gross_cents, v.net_cents, v.vat_cents) for v in ours] == [
            (v.vat_class, v.gross_cents, v.net_cents, v.vat_cents) for v in theirs
        ]
        assert [v.rate for v in ours] == [node_vat.rate_percent(v.rate_bp) for v in theirs]
        price, milli = int(rng.integers(1, 500_000)), int(rng.integers(-100_000, 100_000))
        assert money.line_amount(price, milli) == node_money.line_amount(price, milli)
        for unit in ("each", "kg"):
            assert money.format_quantity(milli, unit) == node_money.format_quantity(milli, unit)  # type: ignore[arg-type]


def test_partial_refunds_are_the_nodes_and_add_up_to_the_line() -> None:
    rng = np.random.default_rng(2)
    for _ in range(2000):
        total, sold = int(rng.integers(1, 100_000)), int(rng.integers(1, 20)) * 1000
        before = int(rng.integers(0, sold))
        now = int(rng.integers(1, sold - before + 1))
        assert till.refund_for(total, sold, before, now) == node_refund_for(total, sold, before, now)
        assert (
            till.refund_for(total, sold, 0, before) + till.refund_for(total, sold, before, sold - before)
            == total
        )


def _line(rng: np.random.Generator, line_id: int) -> ReceiptLine:
    vat_class = CLASSES[int(rng.integers(4))]
    unit = "kg" if rng.random() < 0.2 else "each"
    milli = int(rng.integers(100, 3000)) if unit == "kg" else int(rng.integers(1, 4)) * 1000
    percent = int(rng.integers(5, 40)) if rng.random() < 0.2 else 0
    return till.receipt_line(
        line_id, f"SKU-{line_id}", "x", unit, vat_class, milli, int(rng.integers(99, 30_000)), percent
    )


def test_z_report_tally_is_the_nodes_shift_report() -> None:
    rng = np.random.default_rng(3)
    for shift_number in range(40):
        tally = ShiftTally(f"shift-{shift_number}", "T1", "thabo", "2026-03-02T06:00:00.000Z", 50_000)
        activity: dict[str, list[object]] = {"sales": [], "payments": [], "voided": [], "returns": []}
        account_cash: list[int] = []
        for number in range(int(rng.integers(0, 30))):
            lines = [_line(rng, 10 * number + i) for i in range(int(rng.integers(1, 6)))]
            total = sum(line.total_cents for line in lines)
            method = ["cash", "card", "mobile_money", "account"][int(rng.integers(4))]
            paid = till.cash_tendered(total, 5_000) if method == "cash" else total
            payments = [PaymentRecord(payment_id=number, method=method, amount_cents=paid)]  # type: ignore[arg-type]
            receipt = till.receipt(
                receipt_no=f"R{number}",
                sale_id="s",
                store_id="MSU-01",
                terminal_id="T1",
                cashier="thabo",
                completed_at="2026-03-02T08:00:00.000Z",
                lines=lines,
                payments=payments,
                vat_number="LS",
                store_name="",
                store_address="",
                shift_id=tally.shift_id,
                customer_id=None,
            )
            voided = [(int(rng.integers(99, 9_999)), 1000) for _ in range(int(rng.integers(0, 3)))]
            tally.sale(receipt, [price for price, _ in voided])
            activity["sales"].append(
                SaleFacts(
                    receipt.total_cents,
                    receipt.discount_cents,
                    0,
                    receipt.change_cents,
                    receipt.vat_breakdown,
                    sum(1 for line in lines if line.discount_cents),
                )
            )
            activity["payments"] += [PaymentFacts(p.method, p.amount_cents, p.currency) for p in payments]
            activity["voided"] += [VoidedLineFacts(price, milli) for price, milli in voided]
            if rng.random() < 0.1:
                picked = [(lines[0], till.quantity_milli(lines[0]), lines[0].total_cents)]
                refund_method = "cash" if rng.random() < 0.7 else "card"
                note = till.credit_note(
                    receipt,
                    picked,
                    receipt_no=f"C{number}",
                    terminal_id="T1",
                    cashier="thabo",
                    at="2026-03-02T09:00:00.000Z",
                    refund_method=refund_method,  # type: ignore[arg-type]
                    reference=None,
                    shift_id=tally.shift_id,
                )
                tally.refund(note, refund_method, lines[0].total_cents)
                activity["returns"].append(
                    ReturnFacts(refund_method, lines[0].total_cents, note.vat_breakdown)
                )
            if rng.random() < 0.05:
                account_cash.append(int(rng.integers(1_000, 50_000)))
                tally.account_payment(account_cash[-1])
        tally.cancelled_count, tally.no_sales_count = int(rng.integers(0, 3)), int(rng.integers(0, 4))
        counted = tally.expected_cash_cents + int(rng.integers(-500, 500))
        ours = tally.z_report("2026-03-02T14:00:00.000Z", counted)
        theirs = shift_report(
            "z",
            ShiftFacts(tally.shift_id, "T1", "thabo", tally.opened_at, 50_000),
            ShiftActivity(
                sales=activity["sales"],  # type: ignore[arg-type]
                payments=activity["payments"],  # type: ignore[arg-type]
                voided_lines=activity["voided"],  # type: ignore[arg-type]
                returns=activity["returns"],  # type: ignore[arg-type]
                cash_account_payments=account_cash,
                cancelled_count=tally.cancelled_count,
                no_sales_count=tally.no_sales_count,
            ),
            closed_at="2026-03-02T14:00:00.000Z",
            counted_cash_cents=counted,
        )
        assert ours == theirs


@pytest.mark.parametrize("ms", [0, 1_774_947_600_123, (1 << 48) - 1])
def test_generated_ids_are_the_contracts_uuid7_of_their_millisecond(ms: int) -> None:
    ids, bits = Ids(np.random.default_rng(5)), np.random.default_rng(5)
    drawn = bits.integers(0, 1 << 63, 8192, dtype=np.int64).tolist()
    for expected_bits in reversed(drawn[-100:]):
        made = ids.at(ms)
        assert made == str(uuid7_from(ms, expected_bits >> 51, expected_bits))
        assert uuid.UUID(made).version == 7
