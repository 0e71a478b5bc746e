"""What goes on the paper (pure): the tax invoice, its copy, the credit note and the X/Z report.

Every receipt is a tax invoice: store, address, VAT number, receipt number, date, cashier, the lines
with their VAT class, discounts, the VAT breakdown by class, tenders, change, a QR code of the receipt
number (scanned at the returns desk) and the footer. A reprint says COPY at the top and the bottom, so
it cannot pass for a second original.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from aiwebpos_contracts.events import ShiftReport
from aiwebpos_contracts.receipts import Receipt, ReceiptLine
from aiwebpos_edge.clock import parse_iso
from aiwebpos_edge.devices.printing.columns import (
    fold_to_ascii,
    pair,
    pair_or_two_lines,
    rule,
    table_row,
    wrap,
)
from aiwebpos_edge.devices.printing.document import Document, Feed, Op, Qr, Text
from aiwebpos_edge.formatting import format_maloti

VAT_MARK = {"standard": "S", "reduced": "R", "zero": "Z", "exempt": "E"}
TENDER_NAMES = {"cash": "Cash", "card": "Card", "mobile_money": "Mobile money", "account": "Account"}
TITLES = {"tax_invoice": "TAX INVOICE", "vat_invoice": "VAT INVOICE", "credit_note": "CREDIT NOTE"}


class Header:
    """The store as the top of every document shows it."""

    def __init__(self, name: str, address: str, vat_number: str) -> None:
        self.name, self.address, self.vat_number = name, address, vat_number

    def ops(self, width: int) -> list[Op]:
        name = fold_to_ascii(self.name or "AIWebPOS")
        # Large letters are twice as wide: the name wraps at half the paper.
        ops: list[Op] = [Text(text=t, align="center", bold=True, large=True) for t in wrap(name, width // 2)]
        for part in self.address.split("\n"):
            ops += [Text(text=line, align="center") for line in wrap(fold_to_ascii(part), width) if line]
        ops.append(Text(text=f"VAT no: {self.vat_number}", align="center"))
        return ops


def local_time(at: str, tz: ZoneInfo) -> str:
    return parse_iso(at).astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _money(cents: int) -> str:
    return format_maloti(cents)


def _line_ops(line: ReceiptLine, width: int) -> list[Op]:
    name = fold_to_ascii(line.name)
    mark = VAT_MARK[line.vat_class]
    unit = "kg" if line.unit == "kg" else ""
    per = "/kg" if line.unit == "kg" else ""
    detail = f"  {line.quantity}{unit} x {_money(line.unit_price_cents)}{per}"
    gross = line.total_cents + line.discount_cents
    ops: list[Op] = [Text(text=text) for text in wrap(name, width, indent="  ")]
    ops.append(Text(text=pair(detail, f"{_money(gross)} {mark}", width)))
    if line.price_overridden:
        ops.append(Text(text="  (price changed by a manager)"))
    if line.discount_cents:
        ops.append(Text(text=pair("  Discount", f"-{_money(line.discount_cents)}  ", width)))
    return ops


def receipt_document(
    receipt: Receipt, tz: ZoneInfo, width: int, *, footer: str = "", copy: bool = False, kick: bool = False
) -> Document:
    head = Header(receipt.store_name, receipt.store_address, receipt.vat_number)
    ops: list[Op] = head.ops(width)
    title = TITLES.get(receipt.document, "TAX INVOICE")
    ops.append(Feed())
    if copy:
        ops.append(Text(text="*** COPY ***", align="center", bold=True, large=True))
    ops.append(Text(text=title, align="center", bold=True))
    number = "Credit note" if receipt.document == "credit_note" else "Receipt"
    ops += [
        Text(text=t)
        for left, right in [
            (f"{number}: {receipt.receipt_no}", f"Till {receipt.terminal_id}"),
            (f"Date: {local_time(receipt.completed_at, tz)}", f"Cashier: {receipt.cashier}"),
        ]
        for t in pair_or_two_lines(left, right, width)
    ]
    if receipt.original_receipt_no:
        ops.append(Text(text=f"Against receipt: {receipt.original_receipt_no}"))
    if receipt.buyer is not None:
        ops.append(Text(text=f"Buyer: {fold_to_ascii(receipt.buyer.name)}"))
        ops += [Text(text=t) for t in wrap(fold_to_ascii(receipt.buyer.address), width, indent="  ")]
        ops.append(Text(text=f"Buyer VAT no: {receipt.buyer.vat_number}"))
    ops.append(Text(text=rule(width)))
    for line in receipt.lines:
        ops += _line_ops(line, width)
    ops.append(Text(text=rule(width)))
    ops += _totals(receipt, width)
    ops += _vat_table(receipt, width)
    ops += _tenders(receipt, width)
    ops.append(Feed())
    ops.append(Qr(content=receipt.receipt_no))
    ops.append(Text(text=receipt.receipt_no, align="center"))
    if footer:
        ops += [Text(text=t, align="center") for t in wrap(fold_to_ascii(footer), width)]
    if copy:
        ops.append(Text(text="*** COPY ***", align="center", bold=True))
    return Document(ops=ops, kick_drawer=kick)


def _totals(receipt: Receipt, width: int) -> list[Op]:
    ops: list[Op] = []
    if receipt.discount_cents or receipt.rounding_cents:
        ops.append(Text(text=pair("Subtotal", _money(receipt.subtotal_cents), width)))
    if receipt.discount_cents:
        ops.append(Text(text=pair("Discounts", f"-{_money(receipt.discount_cents)}", width)))
    ops.append(Text(text=pair("TOTAL", _money(receipt.total_cents), width // 2), bold=True, large=True))
    if receipt.rounding_cents:
        ops.append(Text(text=pair("Cash rounding", _money(receipt.rounding_cents), width)))
        ops.append(Text(text=pair("Total due", _money(receipt.total_due_cents), width), bold=True))
    ops.append(Text(text=pair("of which VAT", _money(receipt.vat_cents), width)))
    return ops


def _vat_table(receipt: Receipt, width: int) -> list[Op]:
    cell = max(8, (width - 10) // 3)
    widths = [width - 3 * cell, cell, cell, cell]
    ops: list[Op] = [Text(text=table_row(["VAT", "Gross", "Net", "VAT"], widths), bold=True)]
    for b in receipt.vat_breakdown:
        label = f"{VAT_MARK[b.vat_class]} {b.rate}%"
        row = [label, _money(b.gross_cents), _money(b.net_cents), _money(b.vat_cents)]
        ops.append(Text(text=table_row(row, widths)))
    return ops


def _tenders(receipt: Receipt, width: int) -> list[Op]:
    ops: list[Op] = []
    for p in receipt.payments:
        name = TENDER_NAMES.get(p.method, p.method)
        if p.method == "cash" and p.currency == "ZAR":
            name = "Cash (ZAR at par)"
        if receipt.document == "credit_note":
            name = f"Refund: {name}"
        ops.append(Text(text=pair(name, _money(p.amount_cents), width)))
        if p.reference:
            ops.append(Text(text=f"  ref {p.reference}"))
    if receipt.change_cents:
        ops.append(Text(text=pair("Change (LSL)", _money(receipt.change_cents), width), bold=True))
    return ops


def shift_report_document(
    report: ShiftReport, head: Header, tz: ZoneInfo, width: int, *, printed_at: datetime
) -> Document:
    """The X (mid-shift) or Z (closing) report, as the cashier and the manager sign it."""
    title = "Z REPORT (shift closed)" if report.kind == "z" else "X REPORT (shift open)"
    ops: list[Op] = [*head.ops(width), Feed(), Text(text=title, align="center", bold=True, large=True)]
    ops += [
        Text(text=pair("Shift", report.shift_id[-12:], width)),
        Text(text=pair("Till", report.terminal_id, width)),
        Text(text=pair("Cashier", report.cashier, width)),
        Text(text=pair("Opened", local_time(report.opened_at, tz), width)),
    ]
    if report.closed_at:
        ops.append(Text(text=pair("Closed", local_time(report.closed_at, tz), width)))
    ops.append(Text(text=pair("Printed", printed_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), width)))
    ops.append(Text(text=rule(width)))
    ops += [
        Text(text=pair(f"Sales ({report.sales_count})", _money(report.sales_total_cents), width)),
        Text(text=pair(f"Returns ({report.returns_count})", f"-{_money(report.returns_cents)}", width)),
        Text(text=pair(f"Voids ({report.voids_count})", _money(report.voids_cents), width)),
        Text(text=pair(f"Discounts ({report.discounts_count})", _money(report.discounts_cents), width)),
        Text(text=pair("Cancelled sales", str(report.cancelled_count), width)),
        Text(text=pair("No-sales (drawer opened)", str(report.no_sales_count), width)),
        Text(text=rule(width)),
        Text(text="Tenders", bold=True),
    ]
    for t in report.tenders:
        name = TENDER_NAMES.get(t.method, t.method.replace("_", " ").capitalize())
        ops.append(Text(text=pair(f"  {name} ({t.count})", _money(t.amount_cents), width)))
    ops += [Text(text=rule(width)), Text(text="VAT by class", bold=True)]
    cell = max(8, (width - 10) // 3)
    widths = [width - 3 * cell, cell, cell, cell]
    ops.append(Text(text=table_row(["Class", "Gross", "Net", "VAT"], widths)))
    for b in report.vat:
        row = [
            f"{VAT_MARK[b.vat_class]} {b.rate}%",
            _money(b.gross_cents),
            _money(b.net_cents),
            _money(b.vat_cents),
        ]
        ops.append(Text(text=table_row(row, widths)))
    ops += [
        Text(text=rule(width)),
        Text(text=pair("Opening float", _money(report.opening_float_cents), width)),
        Text(text=pair("Cash sales", _money(report.cash_sales_cents), width)),
        Text(text=pair("Cash refunds", f"-{_money(report.cash_refunds_cents)}", width)),
        Text(text=pair("Expected cash", _money(report.expected_cash_cents), width), bold=True),
    ]
    if report.counted_cash_cents is not None and report.variance_cents is not None:
        ops += [
            Text(text=pair("Counted cash", _money(report.counted_cash_cents), width), bold=True),
            Text(text=pair("VARIANCE", _money(report.variance_cents), width // 2), bold=True, large=True),
        ]
    if report.kind == "z":
        ops += [
            Feed(lines=2),
            Text(text="Cashier: ____________________"),
            Feed(),
            Text(text="Manager: ____________________"),
        ]
    return Document(ops=ops)


def no_sale_document() -> Document:
    """A no-sale prints nothing: the drawer opens, the reason is in the audit log."""
    return Document(ops=[], kick_drawer=True, cut=False)
