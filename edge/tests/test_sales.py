"""Selling at the till: scanning, VAT, tenders, change, receipts, voids, discounts, overrides."""

from datetime import timedelta

from catalog_codes import (
    COKE_2L,
    MAIZE_10KG,
    MILK_1L,
    MINCE_M25,
    OIL_2L,
    POTATOES_750G,
    SUGAR,
    wrong_check_digit,
)
from edge_support import USERS, Shop

from aiwebpos_edge.barcodes import make_gtin
from aiwebpos_edge.clock import SettableClock


async def test_a_whole_cash_sale_gives_change_and_a_tax_invoice(shop: Shop) -> None:
    shift = await shop.open_shift()
    sale_id = await shop.new_sale(shift)
    await shop.scan(sale_id, MAIZE_10KG)
    await shop.scan(sale_id, COKE_2L)
    sale = await shop.add_sku(sale_id, "AIRTIME-VCL-10", "2")
    assert sale["total_cents"] == 12999 + 2799 + 2000
    sale = await shop.pay(sale_id, "cash", 20000)
    assert sale["change_cents"] == 20000 - 17798 and sale["outstanding_cents"] == 0
    receipt = await shop.complete(sale_id)
    assert receipt["receipt_no"] == "MSU-01-T1-000001"
    assert receipt["document"] == "tax_invoice"
    assert receipt["vat_number"] == "LS-VAT-0123456" and receipt["store_name"] == "Maseru Sunrise Grocers"
    assert receipt["cashier"] == "thabo" and receipt["terminal_id"] == "T1"
    assert [line["quantity"] for line in receipt["lines"]] == ["1", "1", "2"]
    by_class = {v["vat_class"]: v for v in receipt["vat_breakdown"]}
    # standard: Coke 27.99 + airtime 20.00 = 47.99 gross; VAT = round(4799 × 15/115) = 626
    assert by_class["standard"] == {
        "vat_class": "standard",
        "rate": "15",
        "gross_cents": 4799,
        "net_cents": 4173,
        "vat_cents": 626,
    }
    assert by_class["zero"]["vat_cents"] == 0 and by_class["zero"]["gross_cents"] == 12999
    assert receipt["vat_cents"] == 626 and receipt["paid_cents"] == 20000 and receipt["change_cents"] == 2202
    again = await shop.get(f"/api/v1/receipts/{receipt['receipt_no']}")
    assert again.json() == receipt


async def test_receipt_numbers_run_gap_free_per_terminal(shop: Shop) -> None:
    t1 = await shop.open_shift("T1")
    t2 = await shop.open_shift("T2", role="cashier2")
    numbers = [(await shop.sell(t1, MILK_1L))["receipt_no"] for _ in range(3)]
    cancelled = await shop.new_sale(t1)
    await shop.scan(cancelled, MILK_1L)
    await shop.post(f"/api/v1/sales/{cancelled}/cancel", {"reason": "customer left"})
    numbers.append((await shop.sell(t1, MILK_1L))["receipt_no"])
    other = (await shop.sell(t2, MILK_1L, terminal_id="T2"))["receipt_no"]
    assert numbers == [f"MSU-01-T1-00000{i}" for i in range(1, 5)], "a cancelled sale takes no number"
    assert other == "MSU-01-T2-000001"


async def test_an_unknown_barcode_is_refused_and_the_cart_is_kept(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    await shop.scan(sale_id, MILK_1L)
    code = make_gtin("600987654321")
    unknown = await shop.post(f"/api/v1/sales/{sale_id}/lines", {"barcode": code})
    assert unknown.status_code == 404 and unknown.json()["detail"] == f"barcode {code} is not in the catalog"
    wrong = await shop.post(f"/api/v1/sales/{sale_id}/lines", {"barcode": wrong_check_digit(COKE_2L)})
    assert wrong.status_code == 422 and "check digit" in wrong.json()["detail"]
    letters = await shop.post(f"/api/v1/sales/{sale_id}/lines", {"barcode": "60012abc"})
    assert letters.status_code == 422
    sale = (await shop.get(f"/api/v1/sales/{sale_id}")).json()
    assert [line["sku"] for line in sale["lines"]] == ["MILK-1L"]


async def test_zero_negative_and_fractional_quantities_are_refused(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    for quantity, words in [
        ("0", "more than zero"),
        ("-2", "more than zero"),
        ("1.5", "whole"),
        ("x", "not a quantity"),
    ]:
        answer = await shop.post(f"/api/v1/sales/{sale_id}/lines", {"barcode": MILK_1L, "quantity": quantity})
        assert answer.status_code == 422 and words in answer.json()["detail"], answer.text
    weighed = await shop.post(f"/api/v1/sales/{sale_id}/lines", {"sku": "POTATO-KG"})
    assert weighed.status_code == 422 and "sold by weight" in weighed.json()["detail"]
    assert (await shop.get(f"/api/v1/sales/{sale_id}")).json()["lines"] == []


async def test_in_store_scale_labels_carry_weight_or_price(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    sale = await shop.scan(sale_id, POTATOES_750G)
    potatoes = sale["lines"][0]
    assert potatoes["sku"] == "POTATO-KG" and potatoes["quantity"] == "0.750"
    assert potatoes["total_cents"] == 1124  # 0.750 kg × M14.99 = M11.2425
    sale = await shop.scan(sale_id, MINCE_M25)
    mince = sale["lines"][1]
    assert mince["sku"] == "MINCE-KG" and mince["total_cents"] == 2500 and mince["quantity"] == "0.227"
    sale = await shop.add_sku(sale_id, "TOMATO-KG", "1.5")
    assert sale["lines"][2]["total_cents"] == 2999  # 1.5 × 19.99 = 29.985 → 29.99


async def test_a_void_keeps_the_line_on_record_and_big_voids_need_a_manager(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    await shop.scan(sale_id, COKE_2L)
    sale = await shop.scan(sale_id, MAIZE_10KG)
    coke, maize = (line["line_id"] for line in sale["lines"])
    no_reason = await shop.call("DELETE", f"/api/v1/sales/{sale_id}/lines/{coke}", json={"reason": " "})
    assert no_reason.status_code == 422
    voided = await shop.call(
        "DELETE", f"/api/v1/sales/{sale_id}/lines/{coke}", json={"reason": "scanned twice"}
    )
    assert voided.status_code == 200
    sale = voided.json()
    assert sale["lines"][0]["voided"] and sale["lines"][0]["void_reason"] == "scanned twice"
    assert sale["total_cents"] == 12999
    big = await shop.call("DELETE", f"/api/v1/sales/{sale_id}/lines/{maize}", json={"reason": "changed mind"})
    assert big.status_code == 403 and big.json()["approval_required"] is True
    bad_pin = await shop.call(
        "DELETE",
        f"/api/v1/sales/{sale_id}/lines/{maize}",
        json={"reason": "changed mind", "approver_pin": USERS["cashier2"][1]},
    )
    assert bad_pin.status_code == 403
    approved = await shop.call(
        "DELETE",
        f"/api/v1/sales/{sale_id}/lines/{maize}",
        json={"reason": "changed mind", "approver_pin": USERS["manager"][1]},
    )
    assert approved.status_code == 200 and approved.json()["total_cents"] == 0
    audit = (await shop.get("/api/v1/audit?action=line.voided", role="manager")).json()
    assert [(e["details"]["reason"], e["details"]["approved_by"]) for e in audit] == [
        ("scanned twice", None),
        ("changed mind", "lerato"),
    ]


async def test_discounts_above_the_limit_need_a_managers_pin(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    sale = await shop.scan(sale_id, OIL_2L)
    line = sale["lines"][0]["line_id"]
    small = await shop.post(
        f"/api/v1/sales/{sale_id}/lines/{line}/discount", {"percent": "10", "reason": "dented"}
    )
    assert small.status_code == 200 and small.json()["total_cents"] == 6999 - 700
    big = await shop.post(f"/api/v1/sales/{sale_id}/lines/{line}/discount", {"amount_cents": 2000})
    assert big.status_code == 403 and "manager" in big.json()["detail"]
    assert (await shop.get(f"/api/v1/sales/{sale_id}")).json()["total_cents"] == 6299, (
        "refused: nothing changed"
    )
    approved = await shop.post(
        f"/api/v1/sales/{sale_id}/lines/{line}/discount",
        {"amount_cents": 2000, "approver_pin": USERS["manager"][1]},
    )
    assert approved.status_code == 200 and approved.json()["total_cents"] == 4999
    both = await shop.post(
        f"/api/v1/sales/{sale_id}/lines/{line}/discount", {"percent": "5", "amount_cents": 5}
    )
    assert both.status_code == 422


async def test_a_whole_sale_discount_is_spread_over_the_vat_classes(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    await shop.scan(sale_id, SUGAR)  # 54.99 standard
    await shop.scan(sale_id, MAIZE_10KG)  # 129.99 zero
    sale = (await shop.post(f"/api/v1/sales/{sale_id}/discount", {"percent": "10", "reason": "loyal"})).json()
    assert sale["discount_cents"] == 1850 and sale["total_cents"] == 18498 - 1850
    standard = next(v for v in sale["vat_breakdown"] if v["vat_class"] == "standard")
    sugar = sale["lines"][0]
    assert standard["gross_cents"] == sugar["total_cents"] == 5499 - 550
    assert standard["vat_cents"] == round(4949 * 15 / 115)


async def test_price_overrides_need_a_manager(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    line = (await shop.scan(sale_id, SUGAR))["lines"][0]["line_id"]
    refused = await shop.post(
        f"/api/v1/sales/{sale_id}/lines/{line}/price", {"unit_price_cents": 4999, "reason": "shelf price"}
    )
    assert refused.status_code == 403
    by_manager = await shop.post(
        f"/api/v1/sales/{sale_id}/lines/{line}/price",
        {"unit_price_cents": 4999, "reason": "shelf price"},
        role="manager",
    )
    assert by_manager.status_code == 200
    line_view = by_manager.json()["lines"][0]
    assert line_view["unit_price_cents"] == 4999 and line_view["list_price_cents"] == 5499
    assert line_view["price_overridden"]
    audit = (await shop.get("/api/v1/audit?action=price.overridden", role="manager")).json()
    assert audit[0]["details"]["old_cents"] == 5499 and audit[0]["details"]["approved_by"] == "lerato"


async def test_split_tender_zar_at_par_and_change_only_from_cash(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    await shop.scan(sale_id, MAIZE_10KG)  # 129.99
    over_card = await shop.post(
        f"/api/v1/sales/{sale_id}/payments", {"method": "card", "amount_cents": 20000, "reference": "A1"}
    )
    assert over_card.status_code == 409 and "only cash" in over_card.json()["detail"]
    no_ref = await shop.post(f"/api/v1/sales/{sale_id}/payments", {"method": "card", "amount_cents": 5000})
    assert no_ref.status_code == 422
    zar_card = await shop.post(
        f"/api/v1/sales/{sale_id}/payments",
        {"method": "card", "amount_cents": 5000, "currency": "ZAR", "reference": "A1"},
    )
    assert zar_card.status_code == 422
    await shop.pay(sale_id, "card", 5000, reference="AUTH-4411")
    await shop.pay(sale_id, "mobile_money", 2999, reference="MPESA-99X")
    sale = await shop.pay(sale_id, "cash", 10000, currency="ZAR")
    assert sale["change_cents"] == 10000 - 5000 and sale["paid_cents"] == 17999
    receipt = await shop.complete(sale_id)
    assert [(p["method"], p["currency"]) for p in receipt["payments"]] == [
        ("card", "LSL"),
        ("mobile_money", "LSL"),
        ("cash", "ZAR"),
    ]
    assert receipt["change_cents"] == 5000
    paid_again = await shop.post(f"/api/v1/sales/{sale_id}/payments", {"method": "cash", "amount_cents": 100})
    assert paid_again.status_code == 409


async def test_an_unpaid_sale_cannot_complete(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    await shop.scan(sale_id, SUGAR)
    await shop.pay(sale_id, "cash", 5000)
    answer = await shop.post(f"/api/v1/sales/{sale_id}/complete", {})
    assert answer.status_code == 409 and answer.json()["outstanding_cents"] == 499
    assert "M4.99 still due" in answer.json()["detail"]
    assert (await shop.get(f"/api/v1/sales/{sale_id}")).json()["status"] == "open"
    empty = await shop.new_sale(await shop.open_shift("T2", role="cashier2"), "T2", role="cashier2")
    assert (await shop.post(f"/api/v1/sales/{empty}/complete", {}, role="cashier2")).status_code == 409


async def test_cash_rounding_is_posted_after_vat(shop: Shop) -> None:
    assert (
        await shop.call("PUT", "/api/v1/config", role="admin", json={"cash_rounding_cents": 10})
    ).status_code == 200
    sale_id = await shop.new_sale(await shop.open_shift())
    sale = await shop.scan(sale_id, COKE_2L)  # 27.99
    assert sale["cash_due_cents"] == 2800 and sale["outstanding_cents"] == 2799
    await shop.pay(sale_id, "cash", 3000)
    receipt = await shop.complete(sale_id)
    assert receipt["rounding_cents"] == 1 and receipt["total_due_cents"] == 2800
    assert receipt["total_cents"] == 2799 and receipt["vat_cents"] == 365 and receipt["change_cents"] == 200
    card_sale = await shop.new_sale(await shop.open_shift("T2", role="cashier2"), "T2", role="cashier2")
    await shop.scan(card_sale, COKE_2L, role="cashier2")
    paid = await shop.post(
        f"/api/v1/sales/{card_sale}/payments",
        {"method": "card", "amount_cents": 2799, "reference": "X"},
        role="cashier2",
    )
    assert paid.json()["rounding_cents"] == 0, "no rounding when nothing is paid in cash"


async def test_a_vat_rate_change_applies_from_its_date_and_leaves_past_receipts(
    shop: Shop, clock: SettableClock
) -> None:
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    scheduled = await shop.post(
        "/api/v1/config/vat-rates",
        {"vat_class": "standard", "rate_percent": "16", "effective_from": tomorrow},
        role="admin",
    )
    assert scheduled.status_code == 201
    shift = await shop.open_shift()
    today = await shop.sell(shift, COKE_2L)
    assert today["vat_breakdown"][0]["rate"] == "15" and today["vat_cents"] == 365
    clock.advance(timedelta(days=1))
    shop.forget_logins()
    later = await shop.sell(shift, COKE_2L)
    assert later["vat_breakdown"][0]["rate"] == "16" and later["vat_cents"] == round(2799 * 16 / 116)
    reprint = (await shop.get(f"/api/v1/receipts/{today['receipt_no']}")).json()
    assert reprint["vat_cents"] == 365 and reprint["lines"][0]["vat_rate"] == "15"
    zero_at_five = await shop.post(
        "/api/v1/config/vat-rates",
        {"vat_class": "zero", "rate_percent": "5", "effective_from": tomorrow},
        role="admin",
    )
    assert zero_at_five.status_code == 422


async def test_a_buyer_with_a_vat_number_gets_a_full_vat_invoice(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    await shop.scan(sale_id, OIL_2L)
    await shop.pay(sale_id, "card", 6999, reference="AUTH-1")
    incomplete = await shop.post(
        f"/api/v1/sales/{sale_id}/complete",
        {"buyer": {"vat_number": "LS-123", "name": " ", "address": "Maseru"}},
    )
    assert incomplete.status_code == 422
    receipt = await shop.complete(
        sale_id,
        {
            "buyer": {
                "vat_number": "LS-VAT-777",
                "name": "Lesotho Builders (Pty) Ltd",
                "address": "Industrial Area, Maseru",
            }
        },
    )
    assert receipt["document"] == "vat_invoice" and receipt["buyer"]["vat_number"] == "LS-VAT-777"
    assert receipt["vat_number"] == "LS-VAT-0123456"


async def test_suspend_and_resume_at_another_till(shop: Shop) -> None:
    t1 = await shop.open_shift("T1")
    t2 = await shop.open_shift("T2", role="cashier2")
    sale_id = await shop.new_sale(t1)
    await shop.scan(sale_id, SUGAR)
    suspended = await shop.post(f"/api/v1/sales/{sale_id}/suspend")
    assert suspended.json()["status"] == "suspended"
    assert (await shop.post(f"/api/v1/sales/{sale_id}/lines", {"barcode": MILK_1L})).status_code == 409
    waiting = (await shop.get("/api/v1/sales?status=suspended")).json()
    assert [s["id"] for s in waiting] == [sale_id]
    resumed = await shop.post(
        f"/api/v1/sales/{sale_id}/resume", {"terminal_id": "T2", "shift_id": t2}, role="cashier2"
    )
    assert resumed.status_code == 200 and resumed.json()["terminal_id"] == "T2"
    await shop.pay(sale_id, "cash", 5499)
    assert (await shop.complete(sale_id))["receipt_no"] == "MSU-01-T2-000001"


async def test_a_cancelled_sale_keeps_its_lines_on_record(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    await shop.scan(sale_id, SUGAR)
    assert (await shop.post(f"/api/v1/sales/{sale_id}/cancel", {"reason": ""})).status_code == 422
    cancelled = await shop.post(f"/api/v1/sales/{sale_id}/cancel", {"reason": "card declined, no cash"})
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["lines"][0]["sku"] == "SUGAR-25"
    assert (await shop.post(f"/api/v1/sales/{sale_id}/complete", {})).status_code == 409


async def test_a_sale_needs_an_open_shift_on_its_terminal(shop: Shop) -> None:
    t1 = await shop.open_shift("T1")
    wrong_till = await shop.post("/api/v1/sales", {"terminal_id": "T2", "shift_id": t1})
    assert wrong_till.status_code == 409
    unknown = await shop.post("/api/v1/sales", {"terminal_id": "T1", "shift_id": "nope"})
    assert unknown.status_code == 404


async def test_selling_moves_stock(shop: Shop) -> None:
    before = (await shop.get("/api/v1/stock/SUGAR-25", role="manager")).json()["on_hand"]
    shift = await shop.open_shift()
    await shop.sell(shift, SUGAR, SUGAR)
    after = (await shop.get("/api/v1/stock/SUGAR-25", role="manager")).json()
    assert float(after["on_hand"]) == float(before) - 2
    assert after["movements"][0]["kind"] == "sale"


async def test_malformed_json_and_wrong_types_are_refused_and_change_nothing(shop: Shop) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    headers = await shop.headers("cashier")
    broken = await shop.client.post(
        f"/api/v1/sales/{sale_id}/lines", content=b'{"barcode": "600', headers=headers
    )
    assert broken.status_code == 400 and broken.json()["detail"]
    typed = await shop.post(f"/api/v1/sales/{sale_id}/payments", {"method": "cash", "amount_cents": "lots"})
    assert typed.status_code == 400
    extra = await shop.post(f"/api/v1/sales/{sale_id}/payments", {"method": "cheque", "amount_cents": 100})
    assert extra.status_code == 400
    unknown_field = await shop.post(f"/api/v1/sales/{sale_id}/lines", {"barcode": MILK_1L, "price_cents": 1})
    assert unknown_field.status_code == 400, "a field the API does not know is refused, not ignored"
    sale = (await shop.get(f"/api/v1/sales/{sale_id}")).json()
    assert sale["lines"] == [] and sale["payments"] == []
