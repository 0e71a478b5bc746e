"""A demo store: catalog, opening stock, staff with PINs and a customer on credit."""

import random
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from aiwebpos_edge.auth.secrets import load_or_create_secret
from aiwebpos_edge.auth.service import NewUser, create_user
from aiwebpos_edge.bootstrap import init_node
from aiwebpos_edge.catalog.service import product_by_sku
from aiwebpos_edge.clock import SystemClock
from aiwebpos_edge.config.service import StoreConfigChange, change_config
from aiwebpos_edge.customers.schemas import NewCustomer
from aiwebpos_edge.customers.service import create_customer
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.demo.catalog import demo_products, seed_demo_catalog
from aiwebpos_edge.inventory.service import record_movement
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.tx import Actor, Tx


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    password: str
    pin: str | None


# The till's favourites: what has no barcode to scan.
QUICK_KEYS = [
    "BREAD-BAKERY",
    "CABBAGE",
    "AIRTIME-VCL-10",
    "AIRTIME-VCL-50",
    "AIRTIME-ECO-20",
    "ELEC-50",
    "ELEC-100",
]
ADMIN_PASSWORD = "admin-demo-1"  # noqa: S105 - the published demo login
STAFF = [
    Login("manager", "lerato", "lerato-demo-1", "2222"),
    Login("cashier", "thabo", "thabo-demo-1", "1234"),
    Login("cashier", "palesa", "palesa-demo-1", "5678"),
    Login("analyst", "neo", "neo-demo-1", None),
]


def seed_demo_store(settings: NodeSettings, store_id: str) -> list[Login]:
    """Initialise `settings.data_dir` as a demo store; returns every login, admin first."""
    init_node(
        settings,
        store_id=store_id,
        admin_password=ADMIN_PASSWORD,
        store_name="Maseru Sunrise Grocers",
        address="Kingsway Road, Maseru 100, Lesotho",
        vat_number="LS-VAT-0123456",
    )
    secret = load_or_create_secret(settings.secret_path)
    conn = connect(Path(settings.data_dir) / "store.db")
    tx = Tx(conn, SystemClock().now(), store_id, ZoneInfo(settings.timezone))
    admin = Actor(user_id=1, username="admin", roles=("admin",))
    rng = random.Random(store_id)
    conn.execute("BEGIN IMMEDIATE")
    try:
        for login in STAFF:
            create_user(
                tx,
                secret,
                admin,
                NewUser(username=login.username, password=login.password, roles=[login.role], pin=login.pin),
            )
        seed_demo_catalog(tx, admin)
        for product in demo_products():
            opening = rng.randint(20, 200) * 1000
            record_movement(
                tx,
                product_id=product_by_sku(tx, product.sku).id,
                quantity_milli=opening,
                kind="receipt",
                reference="OPENING-STOCK",
                reason="opening stock",
                user_id=1,
                emit_sku=product.sku,
            )
        change_config(tx, admin, StoreConfigChange(quick_keys=QUICK_KEYS))
        create_customer(
            tx, admin, NewCustomer(name="Mpho Mokoena", phone="+266 5800 1234", credit_limit_cents=100_000)
        )
        create_customer(
            tx,
            admin,
            NewCustomer(
                name="Lesotho Builders (Pty) Ltd",
                vat_number="LS-VAT-7788990",
                address="Industrial Area, Maseru",
                credit_limit_cents=2_000_000,
            ),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.close()
    return [Login("admin", "admin", ADMIN_PASSWORD, None), *STAFF]
