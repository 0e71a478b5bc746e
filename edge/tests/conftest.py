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
