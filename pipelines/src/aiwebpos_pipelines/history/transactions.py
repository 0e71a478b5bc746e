"""What happens at a till, as the node would record it: sales, cancelled sales, returns, no-sales and
account payments, each leaving its event, moving the stock and counting in its shift's tally.

These are the transactions, honest or not: fraud (`fraud_acts.py`) is the same transactions with other
parameters — a line voided after the customer paid, a refund with no goods, a sale cancelled after cash.
"""

from aiwebpos_contracts.events import (
    AccountChanged,
    DrawerOpened,
    ReturnCompleted,
    ReturnedLine,
    SaleCancelled,
    SaleCompleted,
    VoidedLine,
)
from aiwebpos_contracts.receipts import PaymentRecord, Receipt, ReceiptLine, Tender
from aiwebpos_pipelines.history.moments import iso
from aiwebpos_pipelines.history.money import format_quantity
from aiwebpos_pipelines.history.state import LineSpec, Shift, Sold, StoreState, Void
from aiwebpos_pipelines.history.stores import Customer
from aiwebpos_pipelines.history.till import (
    NOTE_STEPS,
    cash_tendered,
    credit_note,
    quantity_milli,
    receipt,
    refund_for,
)

RETURN_APPROVAL_LIMIT_CENTS = 50_000  # the node's default: refunds above it need a manager
_NOTE_STEP_CUMULATIVE = (0.25, 0.5, 0.7, 0.85, 1.0)  # exact, M10, M50, M100, M200


def _payments(
    state: StoreState, tender: str, total: int, cash_owed: int, customer: Customer | None
) -> list[PaymentRecord]:
    dice = state.dice
    if tender == "account" and customer is not None:
        return [state.payment("account", total, customer=customer.customer_id)]
    if tender in ("card", "mobile_money"):
        if tender == "card" and total > 10_000 and dice.random() < 0.08:  # split: part card, rest cash
            card = (total * dice.integers(40, 81) // 100) // 5_000 * 5_000
            if 0 < card < total:
                step = NOTE_STEPS[dice.index(_NOTE_STEP_CUMULATIVE)]
                return [state.payment("card", card), state.payment("cash", cash_tendered(total - card, step))]
        return [state.payment(tender, total)]  # type: ignore[arg-type]
    step = NOTE_STEPS[dice.index(_NOTE_STEP_CUMULATIVE)]
    return [state.payment("cash", cash_tendered(cash_owed, step), "ZAR" if tender == "cash_zar" else "LSL")]


def complete_sale(
    state: StoreState,
    shift: Shift,
    start_ms: int,
    done_ms: int,
    lines: list[LineSpec],
    tender: str,
    voids: list[Void] | None = None,
    customer: Customer | None = None,
    pay_for_voids: bool = False,
) -> Receipt | None:
    """Ring up, pay and complete a sale; None when nothing of it was on the shelf (the customer leaves).

    With `pay_for_voids` the customer paid cash for the voided lines too (they were voided after
    payment): the receipt shows the smaller total and more change than the customer got."""
    lines = state.available(lines)
    if not lines:
        return None
    sale_id = state.ids.at(start_ms)
    state.take(lines)
    receipt_lines = [state.line(spec) for spec in lines]
    voided = _voided(state, voids, receipt_lines) if voids else []
    total = sum(line.total_cents for line in receipt_lines)
    owed = total + (sum(v.total_cents for v in voided) if pay_for_voids else 0)
    if customer is not None and customer.balance_cents + total > customer.credit_limit_cents:
        customer = None
    if tender != "account":
        customer = None
    elif customer is None:
        tender = "cash"
    payments = _payments(state, tender, total, owed, customer)
    terminal = shift.terminal
    at = iso(done_ms)
    made = receipt(
        receipt_no=state.next_receipt_no(terminal),
        sale_id=sale_id,
        store_id=state.spec.store_id,
        terminal_id=terminal,
        cashier=shift.cashier,
        completed_at=at,
        lines=receipt_lines,
        payments=payments,
        vat_number=state.spec.vat_number,
        store_name=state.spec.name,
        store_address=state.spec.address,
        shift_id=shift.shift_id,
        customer_id=customer.customer_id if customer else None,
    )
    if customer is not None:
        customer.balance_cents += total
        charge = AccountChanged(
            customer_id=customer.customer_id,
            kind="charge",
            amount_cents=total,
            balance_cents=customer.balance_cents,
            reference=made.receipt_no,
        )
        state.emit(done_ms, charge, terminal)
    state.emit(
        done_ms,
        SaleCompleted(
            receipt=made,
            cashier=shift.cashier,
            customer_id=customer.customer_id if customer else None,
            voided_lines=voided,
        ),
        terminal,
    )
    assert shift.tally is not None
    shift.tally.sale(made, [v.total_cents for v in voided])
    state.recent[-1].append(Sold(made, done_ms, tender))
    state.counts["sales"] += 1
    return made


def _voided(state: StoreState, voids: list[Void], receipt_lines: list[ReceiptLine]) -> list[VoidedLine]:
    """The voided lines, each placed where it was scanned among the others (line ids in scan order);
    goods that walked out with the customer leave the shelf."""
    scanned: list[ReceiptLine | VoidedLine] = list(receipt_lines)
    voided: list[VoidedLine] = []
    stock = state.stock
    for void in voids:
        sku, milli = void.line.sku, void.line.milli
        if void.walked and stock.stocked_list[sku] and stock.shelf[sku] < milli:
            continue
        if void.walked:
            stock.sell(sku, milli, recorded=False)
        entry = state.voided_line(void)
        voided.append(entry)
        scanned.insert(state.dice.integers(0, len(scanned) + 1), entry)
    first = state.line_id - len(scanned) + 1
    for offset, line in enumerate(scanned):
        line.line_id = first + offset
    return voided


def cancel_sale(
    state: StoreState,
    shift: Shift,
    start_ms: int,
    done_ms: int,
    lines: list[LineSpec],
    reason: str,
    paid_cash: bool = False,
    walked: bool = False,
) -> str | None:
    """A sale cancelled with what had been scanned; the sale id, or None if nothing could be scanned.

    `paid_cash`: cash was tendered first (it stays in the sale's payments, not in the drawer's count);
    `walked`: the goods left the store anyway (cancel-after-cash theft)."""
    lines = state.available(lines)
    if not lines:
        return None
    sale_id = state.ids.at(start_ms)
    receipt_lines = [state.line(spec) for spec in lines]
    total = sum(line.total_cents for line in receipt_lines)
    if paid_cash:
        state.payment("cash", cash_tendered(total, 1_000))
    state.emit(
        done_ms,
        SaleCancelled(
            sale_id=sale_id,
            shift_id=shift.shift_id,
            cashier=shift.cashier,
            reason=reason,
            cancelled_at=iso(done_ms),
            lines=receipt_lines,
            total_cents=total,
        ),
        shift.terminal,
    )
    if walked:
        for spec in lines:
            state.stock.sell(spec.sku, spec.milli, recorded=False)
    assert shift.tally is not None
    shift.tally.cancelled_count += 1
    state.counts["cancelled"] += 1
    return sale_id


def refund(
    state: StoreState,
    shift: Shift,
    at_ms: int,
    sold: Sold,
    picks: list[tuple[ReceiptLine, int]],
    method: Tender,
    reason: str,
    goods_back: bool = True,
) -> str | None:
    """A return against `sold`'s receipt: a credit note numbered at this terminal; its number, or None
    when nothing of the picked lines is left to return."""
    original = sold.receipt
    chosen: list[tuple[ReceiptLine, int, int]] = []
    for line, milli in picks:
        key = (original.receipt_no, line.line_id)
        before = state.returned.get(key, 0)
        sold_milli = quantity_milli(line)
        milli = min(milli, sold_milli - before)
        if milli <= 0:
            continue
        state.returned[key] = before + milli
        chosen.append((line, milli, refund_for(line.total_cents, sold_milli, before, milli)))
    if not chosen:
        return None
    refund_cents = sum(cents for _, _, cents in chosen)
    reference = None
    if method in ("card", "mobile_money"):
        reference = next((p.reference for p in original.payments if p.method == method), None) or "REFUND"
    note = credit_note(
        original,
        chosen,
        receipt_no=state.next_receipt_no(shift.terminal),
        terminal_id=shift.terminal,
        cashier=shift.cashier,
        at=iso(at_ms),
        refund_method=method,
        reference=reference,
        shift_id=shift.shift_id,
    )
    state.emit(
        at_ms,
        ReturnCompleted(
            return_id=state.ids.at(at_ms),
            receipt=note,
            original_receipt_no=original.receipt_no,
            original_sale_id=original.sale_id,
            lines=[
                ReturnedLine(
                    line_id=line.line_id,
                    sku=line.sku,
                    name=line.name,
                    quantity=format_quantity(milli, line.unit),
                    refund_cents=cents,
                    vat_class=line.vat_class,
                )
                for line, milli, cents in chosen
            ],
            refund_method=method,
            refund_cents=refund_cents,
            reason=reason,
            cashier=shift.cashier,
            approved_by=state.spec.manager if refund_cents > RETURN_APPROVAL_LIMIT_CENTS else None,
        ),
        shift.terminal,
    )
    for line, milli, _ in chosen:
        state.stock.take_back(state.index[line.sku], milli, goods_back)
    assert shift.tally is not None
    shift.tally.refund(note, method, refund_cents)
    state.counts["returns"] += 1
    return note.receipt_no


def no_sale(state: StoreState, shift: Shift, at_ms: int, reason: str) -> str:
    """The drawer opened without a sale; the event id (what a fraud label of it names)."""
    assert shift.tally is not None
    shift.tally.no_sales_count += 1
    state.counts["no_sales"] += 1
    return state.emit(
        at_ms,
        DrawerOpened(shift_id=shift.shift_id, cashier=shift.cashier, reason=reason, opened_at=iso(at_ms)),
        shift.terminal,
    )


def account_payment(state: StoreState, shift: Shift, at_ms: int, customer: Customer) -> None:
    """A customer pays what the account owes, in cash at this till."""
    amount = customer.balance_cents
    if amount <= 0:
        return
    customer.balance_cents = 0
    state.emit(
        at_ms,
        AccountChanged(
            customer_id=customer.customer_id, kind="payment", amount_cents=-amount, balance_cents=0
        ),
        shift.terminal,
    )
    assert shift.tally is not None
    shift.tally.account_payment(amount)
    state.counts["account_payments"] += 1
