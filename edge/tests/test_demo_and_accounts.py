"""The demo store works as printed, and selling on a customer's account respects the credit limit."""

from pathlib import Path
from typing import Any

from catalog_codes import MAIZE_10KG, SUGAR
from edge_support import Shop
from litestar.testing import AsyncTestClient

from aiwebpos_edge.app import create_app
from aiwebpos_edge.demo.seed import seed_demo_store
from aiwebpos_edge.settings import load_settings


async def test_the_demo_store_logs_in_with_its_printed_pins_and_sells(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "demo")
    logins = seed_demo_store(settings, "MSU-01")
    cashier = next(login for login in logins if login.role == "cashier")
    async with AsyncTestClient(app=create_app(settings)) as client:
        answer = await client.post("/api/v1/auth/pin", json={"terminal_id": "T1", "pin": cashier.pin})
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        shift = (
            await client.post(
                "/api/v1/shifts", json={"terminal_id": "T1", "opening_float_cents": 0}, headers=headers
            )
        ).json()["id"]
        sale = (
            await client.post("/api/v1/sales", json={"terminal_id": "T1", "shift_id": shift}, headers=headers)
        ).json()
        scanned = (
            await client.post(
                f"/api/v1/sales/{sale['id']}/lines", json={"barcode": MAIZE_10KG}, headers=headers
            )
        ).json()
        assert scanned["lines"][0]["name"] == "Iwisa Super Maize Meal 10 kg"
        stock = await client.get("/api/v1/stock/MM-IWISA-10", headers=headers)
        assert stock.status_code == 403, "a cashier does not read stock"
        admin = await client.post(
            "/api/v1/auth/login", json={"username": "admin", "password": logins[0].password}
        )
        assert admin.status_code == 200
        manager = {"Authorization": f"Bearer {admin.json()['access_token']}"}
        on_hand = (await client.get("/api/v1/stock/MM-IWISA-10", headers=manager)).json()["on_hand"]
        assert float(on_hand) >= 20, "the demo store has opening stock"


async def _customer(shop: Shop, limit_cents: int, **extra: Any) -> str:
    answer = await shop.post(
        "/api/v1/customers",
        {"name": "Mpho Mokoena", "credit_limit_cents": limit_cents, **extra},
        role="manager",
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


async def test_paying_on_account_raises_the_balance_within_the_limit(shop: Shop) -> None:
    customer = await _customer(shop, 20000)
    shift = await shop.open_shift()
    sale_id = await shop.new_sale(shift)
    await shop.scan(sale_id, MAIZE_10KG)  # M129.99
    await shop.scan(sale_id, SUGAR)  # M54.99 → M184.98
    await shop.pay(sale_id, "account", 18498, customer_id=customer)
    receipt = await shop.complete(sale_id)
    assert receipt["customer_id"] == customer and receipt["payments"][0]["method"] == "account"
    account = (await shop.get(f"/api/v1/customers/{customer}")).json()
    assert account["balance_cents"] == 18498 and account["available_credit_cents"] == 20000 - 18498
    second = await shop.new_sale(shift)
    await shop.scan(second, SUGAR)
    over = await shop.post(
        f"/api/v1/sales/{second}/payments",
        {"method": "account", "amount_cents": 5499, "customer_id": customer},
    )
    assert over.status_code == 409 and "credit limit" in over.json()["detail"]
    paid = await shop.post(
        f"/api/v1/customers/{customer}/payments",
        {"amount_cents": 10000, "method": "cash", "terminal_id": "T1"},
    )
    assert paid.status_code == 201
    await shop.pay(second, "account", 5499, customer_id=customer)
    await shop.complete(second)
    assert (await shop.get(f"/api/v1/customers/{customer}")).json()["balance_cents"] == 18498 - 10000 + 5499


async def test_a_customer_with_a_vat_number_gets_a_vat_invoice_and_account_refunds(shop: Shop) -> None:
    customer = await _customer(
        shop, 1_000_000, vat_number="LS-VAT-7788990", address="Industrial Area, Maseru"
    )
    sale_id = await shop.new_sale(await shop.open_shift())
    await shop.scan(sale_id, SUGAR)
    await shop.pay(sale_id, "account", 5499, customer_id=customer)
    receipt = await shop.complete(sale_id)
    assert receipt["document"] == "vat_invoice" and receipt["buyer"]["vat_number"] == "LS-VAT-7788990"
    refund = await shop.post(
        "/api/v1/returns",
        {
            "terminal_id": "T1",
            "receipt_no": receipt["receipt_no"],
            "refund_method": "account",
            "reason": "damaged",
            "lines": [{"line_id": receipt["lines"][0]["line_id"], "quantity": "1"}],
        },
    )
    assert refund.status_code == 201 and refund.json()["buyer"]["vat_number"] == "LS-VAT-7788990"
    assert (await shop.get(f"/api/v1/customers/{customer}")).json()["balance_cents"] == 0
