"""What edge tests share besides fixtures: the template node's users, and tills that drive the API."""

from datetime import UTC, datetime
from typing import Any

from litestar.testing import AsyncTestClient

STORE_ID = "MSU-01"
ADMIN_PASSWORD = "admin-secret-1"
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday, 10:00 in Maseru
# role → (username, PIN); every user's password is "<username>-password"
USERS = {
    "admin": ("admin", "1111"),
    "manager": ("lerato", "2222"),
    "cashier": ("thabo", "3333"),
    "analyst": ("neo", "4444"),
    "logistics": ("mpho", "5555"),
    "hr": ("ntate", "6666"),
    "cashier2": ("palesa", "3434"),
}


class Api:
    """Logs users in by PIN at a terminal and calls the API as them; asserts nothing by itself."""

    def __init__(self, client: AsyncTestClient[Any]) -> None:
        self.client = client
        self._headers: dict[tuple[str, str], dict[str, str]] = {}

    async def headers(self, role: str, terminal_id: str = "T1") -> dict[str, str]:
        key = (role, terminal_id)
        if key not in self._headers:
            _, pin = USERS[role]
            answer = await self.client.post("/api/v1/auth/pin", json={"terminal_id": terminal_id, "pin": pin})
            assert answer.status_code == 200, answer.text
            self._headers[key] = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        return self._headers[key]

    def forget_logins(self) -> None:
        """After moving the clock past the idle timeout, everyone logs in again."""
        self._headers.clear()

    async def call(
        self, method: str, path: str, role: str = "cashier", terminal_id: str = "T1", **kw: Any
    ) -> Any:
        headers = await self.headers(role, terminal_id)
        return await self.client.request(method, path, headers=headers, **kw)

    async def post(self, path: str, json: Any = None, role: str = "cashier", terminal_id: str = "T1") -> Any:
        return await self.call("POST", path, role, terminal_id, json=json if json is not None else {})

    async def get(self, path: str, role: str = "cashier", terminal_id: str = "T1", **kw: Any) -> Any:
        return await self.call("GET", path, role, terminal_id, **kw)


class Shop(Api):
    """A till's moves, each asserting only that the node accepted it."""

    async def open_shift(
        self, terminal_id: str = "T1", float_cents: int = 50000, role: str = "cashier"
    ) -> str:
        answer = await self.post(
            "/api/v1/shifts",
            {"terminal_id": terminal_id, "opening_float_cents": float_cents},
            role,
            terminal_id,
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    async def new_sale(self, shift_id: str, terminal_id: str = "T1", role: str = "cashier") -> str:
        answer = await self.post(
            "/api/v1/sales", {"terminal_id": terminal_id, "shift_id": shift_id}, role, terminal_id
        )
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    async def scan(self, sale_id: str, code: str, quantity: str | None = None, role: str = "cashier") -> Any:
        body: dict[str, Any] = {"barcode": code}
        if quantity is not None:
            body["quantity"] = quantity
        answer = await self.post(f"/api/v1/sales/{sale_id}/lines", body, role)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def add_sku(self, sale_id: str, sku: str, quantity: str | None = None) -> Any:
        body: dict[str, Any] = {"sku": sku} | ({"quantity": quantity} if quantity else {})
        answer = await self.post(f"/api/v1/sales/{sale_id}/lines", body)
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def pay(self, sale_id: str, method: str, amount_cents: int, **extra: Any) -> Any:
        answer = await self.post(
            f"/api/v1/sales/{sale_id}/payments", {"method": method, "amount_cents": amount_cents, **extra}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def complete(self, sale_id: str, body: Any = None) -> Any:
        answer = await self.post(f"/api/v1/sales/{sale_id}/complete", body or {})
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def sell(self, shift_id: str, *codes: str, terminal_id: str = "T1") -> Any:
        """A whole cash sale of the given barcodes, paid exactly."""
        sale_id = await self.new_sale(shift_id, terminal_id)
        for code in codes:
            sale = await self.scan(sale_id, code)
        await self.pay(sale_id, "cash", sale["cash_due_cents"])
        return await self.complete(sale_id)
