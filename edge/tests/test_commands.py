"""Every command type from HQ, applied through the node's own services; once only; a bad one rolled back."""

import sqlite3
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from edge_support import START, STORE_ID

from aiwebpos_contracts import decode_envelope, uuid7
from aiwebpos_contracts.commands import Command
from aiwebpos_edge.auth.secrets import load_or_create_secret, verify_password
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.sync.commands import apply_command
from aiwebpos_edge.tx import Tx


class Store:
    def __init__(self, settings: NodeSettings) -> None:
        self.conn = connect(settings.db_path)
        self.secret = load_or_create_secret(settings.secret_path)

    def apply(self, command_type: str, body: dict[str, Any], command_id: str | None = None) -> dict[str, Any]:
        command = Command(
            command_id=command_id or str(uuid7()),
            type=command_type,
            issued_at="2026-11-23T08:00Z",
            body=body,
            issued_by="hq-lerato",
        )
        self.conn.execute("BEGIN IMMEDIATE")
        apply_command(
            Tx(self.conn, START, STORE_ID, ZoneInfo("Africa/Maseru")),
            self.secret,
            msgspec.json.encode(command),
        )
        self.conn.execute("COMMIT")
        row = self.conn.execute(
            "SELECT envelope FROM outbox WHERE type = 'command.result' ORDER BY seq DESC LIMIT 1"
        )
        return decode_envelope(row.fetchone()[0]).payload

    def one(self, sql: str, *args: object) -> sqlite3.Row:
        row: sqlite3.Row = self.conn.execute(sql, args).fetchone()
        return row


@pytest.fixture
def store(node_settings: NodeSettings, demo_catalog: None) -> Iterator[Store]:
    s = Store(node_settings)
    yield s
    s.conn.close()


def test_a_catalog_push_creates_and_changes_products(store: Store) -> None:
    result = store.apply(
        "catalog.upsert",
        {
            "products": [
                {
                    "sku": "NEW-1",
                    "name": "Papa (maize porridge) 1 kg",
                    "price_cents": 1999,
                    "vat_class": "zero",
                },
                {"sku": "COKE-2L", "name": "Coca-Cola 2 L", "price_cents": 2899, "vat_class": "standard"},
            ]
        },
    )
    assert result["ok"] is True
    assert store.one("SELECT price_cents FROM products WHERE sku = 'NEW-1'")[0] == 1999
    assert store.one("SELECT price_cents FROM products WHERE sku = 'COKE-2L'")[0] == 2899


def test_the_catalog_master_decides_barcodes_and_what_is_on_sale(store: Store) -> None:
    product = {"sku": "NEW-2", "name": "Candles 6", "price_cents": 1500, "vat_class": "standard"}
    first = store.apply(
        "catalog.upsert",
        {
            "products": [
                {**product, "barcodes": ["6001234567899", "96385074"]},
                {**product, "sku": "OFF-1", "active": False},
            ]
        },
    )
    assert first["ok"] is True, first
    assert (
        store.one("SELECT active FROM products WHERE sku = 'OFF-1'")[0] == 0
    )  # off sale at HQ, off sale here
    # HQ took a barcode off the product: the store drops it too, and that code no longer scans as it.
    again = store.apply("catalog.upsert", {"products": [{**product, "barcodes": ["96385074"]}]})
    assert again["ok"] is True, again
    codes = store.conn.execute(
        "SELECT code FROM barcodes JOIN products ON products.id = barcodes.product_id WHERE sku = 'NEW-2'"
    ).fetchall()
    assert [c[0] for c in codes] == ["96385074"]

    # The master moves that barcode to another product: the push lists the product gaining it first.
    other = {**product, "sku": "NEW-3", "name": "Candles 12", "barcodes": ["96385074"]}
    moved = store.apply("catalog.upsert", {"products": [other, {**product, "barcodes": []}]})
    assert moved["ok"] is True, moved
    owner = store.one(
        "SELECT sku FROM barcodes JOIN products ON products.id = barcodes.product_id WHERE code = '96385074'"
    )
    assert owner[0] == "NEW-3"


def test_a_command_applies_once_and_a_bad_one_changes_nothing(store: Store) -> None:
    command_id = str(uuid7())
    store.apply("price.set", {"prices": [{"sku": "SUGAR-25", "price_cents": 6100}]}, command_id)
    store.apply(
        "price.set", {"prices": [{"sku": "SUGAR-25", "price_cents": 9999}]}, command_id
    )  # redelivered
    assert store.one("SELECT price_cents FROM products WHERE sku = 'SUGAR-25'")[0] == 6100
    results = store.one("SELECT COUNT(*) FROM outbox WHERE type = 'command.result'")[0]
    assert results == 1, "a redelivery is not answered twice"
    bad = store.apply(
        "price.set",
        {"prices": [{"sku": "SUGAR-25", "price_cents": 100}, {"sku": "NO-SUCH", "price_cents": 1}]},
    )
    assert bad["ok"] is False and "NO-SUCH" in bad["detail"]
    assert store.one("SELECT price_cents FROM products WHERE sku = 'SUGAR-25'")[0] == 6100, (
        "rolled back whole"
    )


def test_user_changes_from_hq(store: Store) -> None:
    created = store.apply(
        "user.upsert", {"username": "mosa", "roles": ["cashier"], "password": "mosa-pass-1", "pin": "8765"}
    )
    assert created["ok"] is True
    row = store.one("SELECT roles, password_hash FROM users WHERE username = 'mosa'")
    assert row["roles"] == '["cashier"]' and verify_password("mosa-pass-1", row["password_hash"])
    assert store.apply("user.upsert", {"username": "ghost", "roles": ["cashier"]})["ok"] is False
    store.apply("user.upsert", {"username": "mosa", "roles": ["manager"], "active": False})
    assert store.one("SELECT active FROM users WHERE username = 'mosa'")[0] == 0


def test_store_rules_and_vat_rates_from_hq(store: Store) -> None:
    assert store.apply("config.set", {"cash_rounding_cents": 10, "discount_limit_percent": "5"})["ok"] is True
    assert store.one("SELECT value FROM config WHERE key = 'cash_rounding_cents'")[0] == "10"
    assert store.apply("config.set", {"cash_rounding_cents": 3})["ok"] is False
    assert (
        store.apply(
            "vat_rate.set", {"vat_class": "standard", "rate_percent": "16", "effective_from": "2027-04-01"}
        )["ok"]
        is True
    )
    assert store.one("SELECT rate_bp FROM vat_rates WHERE effective_from = '2027-04-01'")[0] == 1600
    assert store.apply("no.such.command", {})["ok"] is False
