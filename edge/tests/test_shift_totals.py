"""The Z report over a real day at the till: cash, change, ZAR, cards, refunds, voids, no-sales."""

from catalog_codes import COKE_2L, MAIZE_10KG, SUGAR
from edge_support import Shop


async def test_the_z_report_counts_the_day_and_the_cash_variance(shop: Shop) -> None:
    shift = await shop.open_shift(float_cents=50000)
    cash_sale = await shop.new_sale(shift)
    await shop.scan(cash_sale, MAIZE_10KG)  # 129.99 zero-rated
    await shop.pay(cash_sale, "cash", 15000, currency="ZAR")  # change 20.01 in LSL
    await shop.complete(cash_sale)
    card_sale = await shop.new_sale(shift)
    sale = await shop.scan(card_sale, SUGAR)  # 54.99 standard
    await shop.scan(card_sale, COKE_2L)
    void = sale["lines"][0]["line_id"]
    await shop.call("DELETE", f"/api/v1/sales/{card_sale}/lines/{void}", json={"reason": "wrong item"})
    await shop.pay(card_sale, "card", 2799, reference="AUTH-7")
    card_receipt = await shop.complete(card_sale)
    refund = await shop.post(
        "/api/v1/returns",
        {
            "terminal_id": "T1",
            "receipt_no": card_receipt["receipt_no"],
            "refund_method": "cash",
            "reason": "flat",
            "lines": [{"line_id": card_receipt["lines"][0]["line_id"], "quantity": "1"}],
        },
    )
    assert refund.status_code == 201
    await shop.post("/api/v1/drawer/open", {"terminal_id": "T1", "reason": "change for the bakery"})
    x = (await shop.get(f"/api/v1/shifts/{shift}/report")).json()
    expected = 50000 + 12999 - 2799
    assert x["kind"] == "x" and x["expected_cash_cents"] == expected
    z = (await shop.post(f"/api/v1/shifts/{shift}/close", {"counted_cash_cents": expected - 500})).json()
    assert z["kind"] == "z" and z["variance_cents"] == -500 and z["counted_cash_cents"] == expected - 500
    assert z["sales_count"] == 2 and z["sales_total_cents"] == 12999 + 2799
    assert z["voids_count"] == 1 and z["voids_cents"] == 5499
    assert z["returns_count"] == 1 and z["returns_cents"] == 2799
    assert z["no_sales_count"] == 1
    vat = {v["vat_class"]: v for v in z["vat"]}
    assert vat["standard"]["gross_cents"] == 0 and vat["standard"]["vat_cents"] == 0, "the Coke came back"
    assert vat["zero"]["gross_cents"] == 12999
    tenders = {t["method"]: t["amount_cents"] for t in z["tenders"]}
    assert tenders["card"] == 2799 and tenders["cash"] == 12999
