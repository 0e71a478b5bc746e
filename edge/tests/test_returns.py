"""Returns against a receipt: partial, never more than sold, refunds that add up, stock that comes back."""

from datetime import timedelta

from catalog_codes import COKE_2L, MAIZE_10KG, POTATOES_750G, SUGAR
from edge_support import USERS, Shop

from aiwebpos_edge.clock import SettableClock


async def _return(
    shop: Shop,
    receipt_no: str,
    lines: list[tuple[int, str]],
    method: str = "cash",
    role: str = "cashier",
    **extra: object,
):  # type: ignore[no-untyped-def]
    body = {
        "terminal_id": "T1",
        "receipt_no": receipt_no,
        "refund_method": method,
        "reason": "faulty",
        "lines": [{"line_id": i, "quantity": q} for i, q in lines],
        **extra,
    }
    return await shop.post("/api/v1/returns", body, role)


async def test_partial_returns_never_exceed_what_was_sold_and_add_up_to_the_line(shop: Shop) -> None:
    shift = await shop.open_shift()
    sale_id = await shop.new_sale(shift)
    sale = await shop.scan(sale_id, COKE_2L, "3")  # 3 × 27.99 = 83.97
    line = sale["lines"][0]["line_id"]
    await shop.post(f"/api/v1/sales/{sale_id}/lines/{line}/discount", {"amount_cents": 100})
    await shop.pay(sale_id, "cash", 10000)
    receipt = await shop.complete(sale_id)
    assert receipt["total_cents"] == 8297
    first = await _return(shop, receipt["receipt_no"], [(line, "1")])
    assert first.status_code == 201
    credit = first.json()
    assert credit["document"] == "credit_note" and credit["original_receipt_no"] == receipt["receipt_no"]
    assert credit["receipt_no"] == "MSU-01-T1-000002", "credit notes share the terminal's gap-free sequence"
    assert credit["total_cents"] == -2766 and credit["lines"][0]["quantity"] == "-1"
    assert credit["vat_breakdown"][0]["vat_cents"] == -round(2766 * 15 / 115)
    too_many = await _return(shop, receipt["receipt_no"], [(line, "3")])
    assert too_many.status_code == 409 and "only 2 of Coca-Cola 2 L" in too_many.json()["detail"]
    rest = (await _return(shop, receipt["receipt_no"], [(line, "2")])).json()
    assert credit["total_cents"] + rest["total_cents"] == -receipt["total_cents"], (
        "refunds add up to what was paid"
    )
    again = await _return(shop, receipt["receipt_no"], [(line, "1")])
    assert again.status_code == 409, "returning twice is refused"


async def test_a_return_brings_the_stock_back(shop: Shop) -> None:
    shift = await shop.open_shift()
    receipt = await shop.sell(shift, SUGAR, POTATOES_750G)
    before = (await shop.get("/api/v1/stock/POTATO-KG", role="manager")).json()["on_hand"]
    potatoes = receipt["lines"][1]["line_id"]
    answer = await _return(shop, receipt["receipt_no"], [(potatoes, "0.250")])
    assert answer.status_code == 201
    after = (await shop.get("/api/v1/stock/POTATO-KG", role="manager")).json()
    assert float(after["on_hand"]) == float(before) + 0.25 and after["movements"][0]["kind"] == "return"


async def test_bad_returns_are_refused_and_change_nothing(shop: Shop) -> None:
    shift = await shop.open_shift()
    receipt = await shop.sell(shift, SUGAR)
    line = receipt["lines"][0]["line_id"]
    assert (await _return(shop, "MSU-01-T1-999999", [(line, "1")])).status_code == 404
    assert (await _return(shop, receipt["receipt_no"], [(line + 99, "1")])).status_code == 404
    assert (await _return(shop, receipt["receipt_no"], [(line, "0")])).status_code == 422
    assert (await _return(shop, receipt["receipt_no"], [(line, "1")], reason=" ")).status_code == 422
    assert (await _return(shop, receipt["receipt_no"], [])).status_code == 422
    assert (await _return(shop, receipt["receipt_no"], [(line, "1")], method="card")).status_code == 422
    no_account = await _return(shop, receipt["receipt_no"], [(line, "1")], method="account")
    assert no_account.status_code == 409
    on_hand = (await shop.get("/api/v1/stock/SUGAR-25", role="manager")).json()["on_hand"]
    assert float(on_hand) == -1.0, "nothing came back"


async def test_a_cash_refund_needs_an_open_shift_on_the_terminal(shop: Shop) -> None:
    shift = await shop.open_shift()
    receipt = await shop.sell(shift, SUGAR)
    closed = await shop.post(f"/api/v1/shifts/{shift}/close", {"counted_cash_cents": 55499})
    assert closed.status_code == 200
    answer = await _return(shop, receipt["receipt_no"], [(receipt["lines"][0]["line_id"], "1")])
    assert answer.status_code == 409 and "no open shift" in answer.json()["detail"]
    by_card = await _return(
        shop,
        receipt["receipt_no"],
        [(receipt["lines"][0]["line_id"], "1")],
        method="card",
        reference="RFND-1",
    )
    assert by_card.status_code == 201


async def test_large_refunds_need_a_manager(shop: Shop) -> None:
    shift = await shop.open_shift()
    sale_id = await shop.new_sale(shift)
    sale = await shop.scan(sale_id, MAIZE_10KG, "5")  # M649.95, over the M500 return limit
    await shop.pay(sale_id, "cash", 65000)
    receipt = await shop.complete(sale_id)
    line = sale["lines"][0]["line_id"]
    refused = await _return(shop, receipt["receipt_no"], [(line, "5")])
    assert refused.status_code == 403 and refused.json()["approval_required"]
    approved = await _return(shop, receipt["receipt_no"], [(line, "5")], approver_pin=USERS["manager"][1])
    assert approved.status_code == 201
    audit = (await shop.get("/api/v1/audit?action=return.completed", role="manager")).json()
    assert audit[-1]["details"]["approved_by"] == "lerato"


async def test_a_credit_note_reverses_vat_at_the_rate_the_sale_charged(
    shop: Shop, clock: SettableClock
) -> None:
    shift = await shop.open_shift()
    receipt = await shop.sell(shift, COKE_2L)
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    await shop.post(
        "/api/v1/config/vat-rates",
        {"vat_class": "standard", "rate_percent": "16", "effective_from": tomorrow},
        role="admin",
    )
    clock.advance(timedelta(days=1))
    shop.forget_logins()
    credit = (await _return(shop, receipt["receipt_no"], [(receipt["lines"][0]["line_id"], "1")])).json()
    assert credit["vat_breakdown"][0]["rate"] == "15" and credit["vat_cents"] == -receipt["vat_cents"]
