"""Shifts and the cash drawer: one open shift per terminal, the X and Z reports, no-sales."""

import msgspec

from aiwebpos_contracts import uuid7
from aiwebpos_contracts.events import DrawerOpened, ShiftClosed, ShiftOpened, ShiftReport
from aiwebpos_edge.clock import parse_iso
from aiwebpos_edge.errors import Conflict, Invalid, NotFound
from aiwebpos_edge.formatting import format_maloti
from aiwebpos_edge.scoring import fraud_store
from aiwebpos_edge.shifts import store
from aiwebpos_edge.shifts.report import ShiftFacts, shift_report
from aiwebpos_edge.tx import Actor, Tx

# Notes and coins of the loti (and of the rand, taken at par), in lisente.
DENOMINATIONS_CENTS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000)
MAX_DRAWER_CENTS = 100_000_000  # M1,000,000.00 in one drawer: anything above is a typo


class OpenShift(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    terminal_id: str
    opening_float_cents: int


class CloseShift(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The cash counted at closing: a total, or the count of each note and coin, or both.

    `denominations` maps a note or coin value in lisente ("20000" = M200) to how many were counted.
    Given alone, it is what the counted cash is computed from; given with `counted_cash_cents`, the
    two must agree (a miscount is caught before it becomes a variance).
    """

    counted_cash_cents: int | None = None
    denominations: dict[str, int] | None = None


class OpenDrawer(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    terminal_id: str
    reason: str


class ShiftOut(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: str
    terminal_id: str
    cashier: str
    status: str
    opened_at: str
    opening_float_cents: int
    closed_at: str | None = None
    counted_cash_cents: int | None = None


class NoSaleOut(msgspec.Struct, kw_only=True):
    id: int
    terminal_id: str
    shift_id: str
    cashier: str
    reason: str
    opened_at: str


def shift_out(row: store.ShiftRow) -> ShiftOut:
    return ShiftOut(
        id=row.id,
        terminal_id=row.terminal_id,
        cashier=row.cashier,
        status=row.status,
        opened_at=row.opened_at,
        opening_float_cents=row.opening_float_cents,
        closed_at=row.closed_at,
        counted_cash_cents=row.counted_cash_cents,
    )


def _local_time(tx: Tx, at: str) -> str:
    """When something happened, as the store's clock shows it: "08:00", or "2026-11-22 18:00" before today."""
    moment = parse_iso(at).astimezone(tx.timezone)
    return moment.strftime("%H:%M" if moment.date() == tx.business_day else "%Y-%m-%d %H:%M")


def _terminal(text: str) -> str:
    terminal_id = text.strip()
    if not terminal_id:
        raise Invalid("terminal_id is empty: say which terminal this is at")
    return terminal_id


def _shift(tx: Tx, shift_id: str) -> store.ShiftRow:
    shift = store.shift_by_id(tx.conn, shift_id)
    if shift is None:
        raise NotFound(f"no shift {shift_id}")
    return shift


def open_shift_of(tx: Tx, terminal_id: str) -> str | None:
    """The id of the terminal's open shift, if it has one."""
    shift = store.open_shift_on(tx.conn, terminal_id)
    return shift.id if shift else None


def require_open_shift(tx: Tx, shift_id: str, terminal_id: str) -> None:
    """Selling and refunding happen in an open shift of the terminal they happen at."""
    shift = _shift(tx, shift_id)
    if shift.status != "open":
        raise Conflict(f"shift {shift_id} is closed: open a new shift")
    if shift.terminal_id != terminal_id:
        raise Conflict(f"shift {shift_id} belongs to terminal {shift.terminal_id}, not {terminal_id}")


def open_shift(tx: Tx, actor: Actor, data: OpenShift) -> ShiftOut:
    terminal_id = _terminal(data.terminal_id)
    if not 0 <= data.opening_float_cents <= MAX_DRAWER_CENTS:
        raise Invalid(f"the opening float must be between M0.00 and {format_maloti(MAX_DRAWER_CENTS)}")
    current = store.open_shift_on(tx.conn, terminal_id)
    if current is not None:
        raise Conflict(
            f"terminal {terminal_id} already has an open shift (opened by {current.cashier} at"
            f" {_local_time(tx, current.opened_at)}): close it first"
        )
    shift_id = str(uuid7())
    store.insert_shift(
        tx.conn,
        shift_id=shift_id,
        terminal_id=terminal_id,
        user_id=actor.user_id,
        float_cents=data.opening_float_cents,
        at=tx.at,
    )
    tx.emit(
        ShiftOpened(
            shift_id=shift_id,
            terminal_id=terminal_id,
            cashier=actor.username,
            opened_at=tx.at,
            opening_float_cents=data.opening_float_cents,
        ),
        terminal_id,
    )
    tx.audit(
        "shift.opened",
        actor.username,
        terminal_id,
        shift_id=shift_id,
        opening_float_cents=data.opening_float_cents,
    )
    return shift_out(_shift(tx, shift_id))


def get_shift(tx: Tx, shift_id: str) -> ShiftOut:
    return shift_out(_shift(tx, shift_id))


def list_shifts(tx: Tx, terminal_id: str | None, status: str | None) -> list[ShiftOut]:
    return [shift_out(row) for row in store.list_shifts(tx.conn, terminal_id=terminal_id, status=status)]


def _facts(shift: store.ShiftRow) -> ShiftFacts:
    return ShiftFacts(shift.id, shift.terminal_id, shift.cashier, shift.opened_at, shift.opening_float_cents)


def current_report(tx: Tx, shift_id: str) -> ShiftReport:
    """The X report of an open shift; a closed shift answers its Z report as it was issued."""
    shift = _shift(tx, shift_id)
    if shift.status == "closed" and shift.z_report:
        return msgspec.json.decode(shift.z_report, type=ShiftReport)
    return shift_report("x", _facts(shift), store.shift_activity(tx.conn, shift_id))


def _counted_cash(data: CloseShift) -> int:
    if data.denominations is None:
        if data.counted_cash_cents is None:
            raise Invalid("give counted_cash_cents, or the count of each note and coin in denominations")
        return _check_counted(data.counted_cash_cents)
    total = 0
    for value, count in data.denominations.items():
        if (
            not (value.isascii() and value.isdigit() and len(value) <= 6)
            or int(value) not in DENOMINATIONS_CENTS
        ):
            known = ", ".join(str(d) for d in DENOMINATIONS_CENTS)
            raise Invalid(f"{value!r} is not a note or coin value in lisente (one of {known})")
        if not 0 <= count <= MAX_DRAWER_CENTS:
            raise Invalid(f"{count} is not a count of {format_maloti(int(value))} pieces")
        total += int(value) * count
    if data.counted_cash_cents is not None and data.counted_cash_cents != total:
        raise Invalid(
            f"the notes and coins add up to {format_maloti(total)}, not"
            f" {format_maloti(data.counted_cash_cents)}: count again"
        )
    return _check_counted(total)


def _check_counted(cents: int) -> int:
    if not 0 <= cents <= MAX_DRAWER_CENTS:
        raise Invalid(f"counted cash must be between M0.00 and {format_maloti(MAX_DRAWER_CENTS)}")
    return cents


def close_shift(tx: Tx, actor: Actor, shift_id: str, data: CloseShift) -> ShiftReport:
    shift = _shift(tx, shift_id)
    if shift.status != "open":
        raise Conflict(f"shift {shift_id} is already closed (at {_local_time(tx, shift.closed_at or tx.at)})")
    counted = _counted_cash(data)
    open_sales = store.open_sales_count(tx.conn, shift_id)
    if open_sales:
        raise Conflict(
            f"shift {shift_id} still has {open_sales} open sale(s): complete, suspend or cancel them first"
        )
    report = shift_report(
        "z",
        _facts(shift),
        store.shift_activity(tx.conn, shift_id),
        closed_at=tx.at,
        counted_cash_cents=counted,
    )
    store.close_shift(
        tx.conn, shift_id, at=tx.at, counted_cash_cents=counted, z_report=msgspec.json.encode(report).decode()
    )
    seq = tx.emit(ShiftClosed(report=report), shift.terminal_id)
    fraud_store.queue(
        tx,
        kind="shift",
        ref=shift_id,
        seq=seq,
        shift_id=shift_id,
        terminal_id=shift.terminal_id,
        cashier=report.cashier,
        total_cents=report.sales_total_cents,
    )
    tx.audit(
        "shift.closed",
        actor.username,
        shift.terminal_id,
        shift_id=shift_id,
        expected_cash_cents=report.expected_cash_cents,
        counted_cash_cents=counted,
        variance_cents=report.variance_cents,
        denominations=data.denominations,
    )
    return report


def open_drawer(tx: Tx, actor: Actor, data: OpenDrawer) -> NoSaleOut:
    """A no-sale: the drawer opened without a sale, with the reason on record."""
    reason = data.reason.strip()
    if not reason:
        raise Invalid("say why the drawer is opened without a sale (the reason is recorded)")
    terminal_id = _terminal(data.terminal_id)
    shift_id = open_shift_of(tx, terminal_id)
    if shift_id is None:
        raise Conflict(f"terminal {terminal_id} has no open shift: open a shift before opening the drawer")
    opening_id = store.insert_drawer_opening(
        tx.conn, terminal_id=terminal_id, shift_id=shift_id, user_id=actor.user_id, reason=reason, at=tx.at
    )
    tx.emit(
        DrawerOpened(shift_id=shift_id, cashier=actor.username, reason=reason, opened_at=tx.at), terminal_id
    )
    tx.audit("drawer.opened", actor.username, terminal_id, shift_id=shift_id, reason=reason)
    return NoSaleOut(
        id=opening_id,
        terminal_id=terminal_id,
        shift_id=shift_id,
        cashier=actor.username,
        reason=reason,
        opened_at=tx.at,
    )
