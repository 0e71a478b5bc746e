"""Fixtures: a real node on a temp directory, driven through the real app with a settable clock.

Creating users costs a scrypt hash each, so a template node with one user per role is built once per
session and copied for each test.
"""

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from device_rig import Rig
from edge_support import ADMIN_PASSWORD, START, STORE_ID, USERS, Api, Shop
from litestar.testing import AsyncTestClient
from playwright.sync_api import Browser

from aiwebpos_edge.app import create_app
from aiwebpos_edge.auth.secrets import load_or_create_secret, pin_lookup
from aiwebpos_edge.auth.service import NewUser, create_user
from aiwebpos_edge.bootstrap import init_node
from aiwebpos_edge.clock import SettableClock
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.settings import NodeSettings, load_settings
from aiwebpos_edge.tx import Tx
from devkit.browser import chromium


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


@pytest.fixture
def shop(client: AsyncTestClient[Any], demo_catalog: None) -> Shop:
    return Shop(client)


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    devices = Rig(tmp_path / "dev")
    yield devices
    devices.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, once per test module (starting it costs about a second)."""
    with chromium() as launched:
        yield launched
