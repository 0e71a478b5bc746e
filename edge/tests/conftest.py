"""Fixtures: a real node on a temp directory, driven through the real app with a settable clock.

Creating users costs a scrypt hash each, so a template node with one user per role is built once per
session and copied for each test.
"""

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import AsyncTestClient

from aiwebpos_edge.app import create_app
from aiwebpos_edge.auth.secrets import load_or_create_secret, pin_lookup
from aiwebpos_edge.auth.service import NewUser, create_user
from aiwebpos_edge.bootstrap import init_node
from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.settings import NodeSettings, load_settings
from aiwebpos_edge.tx import Tx

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


@pytest.fixture(scope="session")
def template_node(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("template-node")
    settings = load_settings(data_dir)
    init_node(
        settings,
        store_id=STORE_ID,
        admin_password=ADMIN_PASSWORD,
        store_name="Maseru Sunrise Grocers",
        address="Kingsway Road, Maseru 100, Lesotho",
        vat_number="LS-VAT-0123456",
        clock=SettableClock(START),
    )
    secret = load_or_create_secret(settings.secret_path)
    conn = connect(settings.db_path)
    tx = Tx(conn, START, STORE_ID, ZoneInfo(settings.timezone))
    conn.execute("BEGIN")
    conn.execute("UPDATE users SET pin_lookup = NULL WHERE username = 'admin'")
    for role, (username, pin) in USERS.items():
        if username == "admin":
            conn.execute(
                "UPDATE users SET pin_lookup = ? WHERE username = 'admin'", (pin_lookup(pin, secret),)
            )
            continue
        roles = ["cashier"] if role == "cashier2" else [role]
        create_user(
            tx,
            secret,
            None,
            NewUser(username=username, password=f"{username}-password", roles=roles, pin=pin),
        )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return data_dir


@pytest.fixture
def node_settings(template_node: Path, tmp_path: Path) -> NodeSettings:
    data_dir = tmp_path / "node"
    shutil.copytree(template_node, data_dir)
    return load_settings(data_dir)


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock(START)


@pytest.fixture
async def client(node_settings: NodeSettings, clock: SettableClock) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(node_settings, clock)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


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


@pytest.fixture
def api(client: AsyncTestClient[Any]) -> Api:
    return Api(client)


@pytest.fixture
def demo_catalog(node_settings: NodeSettings) -> None:
    """The demo grocery catalog, seeded straight into the node's database before the app starts."""
    from aiwebpos_edge.demo.catalog import seed_demo_catalog

    conn = connect(node_settings.db_path)
    conn.execute("BEGIN")
    seed_demo_catalog(Tx(conn, START, STORE_ID, ZoneInfo(node_settings.timezone)), None)
    conn.execute("COMMIT")
    conn.close()


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


@pytest.fixture
def shop(client: AsyncTestClient[Any], demo_catalog: None) -> Shop:
    return Shop(client)
