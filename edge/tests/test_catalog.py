"""The catalog: products, barcodes with check digits, search, big imports."""

import subprocess
from pathlib import Path

import httpx
import pytest
from catalog_codes import COKE_2L, wrong_check_digit
from edge_support import Api, Shop

from aiwebpos_edge.barcodes import make_gtin
from aiwebpos_edge.demo.synthetic import synthetic_barcode, write_synthetic_catalog
from aiwebpos_edge.settings import NodeSettings
from devkit.chain import BIN, StoreNode

NEW = {
    "sku": "MAGWINYA-6",
    "name": "Magwinya (fat cakes) 6s",
    "price_cents": 1200,
    "vat_class": "standard",
    "barcodes": [make_gtin("600123123123")],
    "unit": "each",
    "category": "Bakery",
}


async def test_a_manager_adds_a_product_and_a_cashier_finds_it(api: Api) -> None:
    created = await api.post("/api/v1/products", NEW, role="manager")
    assert created.status_code == 201 and created.json()["barcodes"] == NEW["barcodes"]
    by_code = (await api.get("/api/v1/products", params={"barcode": NEW["barcodes"][0]})).json()
    assert [p["sku"] for p in by_code] == ["MAGWINYA-6"]
    by_words = (await api.get("/api/v1/products", params={"q": "fat cak"})).json()
    assert [p["sku"] for p in by_words] == ["MAGWINYA-6"]
    assert (await api.post("/api/v1/products", NEW, role="cashier")).status_code == 403


async def test_bad_products_are_refused(api: Api) -> None:
    for change, status in [
        ({"barcodes": [wrong_check_digit(NEW["barcodes"][0])]}, 422),
        ({"price_cents": -1}, 422),
        ({"vat_class": "luxury"}, 400),
        ({"sku": ""}, 422),
        ({"unit": "litre"}, 400),
        ({"name": " "}, 422),
    ]:
        answer = await api.post("/api/v1/products", NEW | change, role="manager")
        assert answer.status_code == status, (change, answer.text)
    assert (await api.post("/api/v1/products", NEW, role="manager")).status_code == 201
    assert (await api.post("/api/v1/products", NEW, role="manager")).status_code == 409, "same SKU twice"
    clash = NEW | {"sku": "OTHER"}
    assert (await api.post("/api/v1/products", clash, role="manager")).status_code == 409, "barcode taken"


async def test_a_price_change_is_audited_and_applies_to_the_next_scan(shop: Shop) -> None:
    changed = await shop.call("PATCH", "/api/v1/products/COKE-2L", role="manager", json={"price_cents": 2999})
    assert changed.status_code == 200 and changed.json()["price_cents"] == 2999
    sale_id = await shop.new_sale(await shop.open_shift())
    assert (await shop.scan(sale_id, COKE_2L))["total_cents"] == 2999
    audit = (await shop.get("/api/v1/audit?action=price.changed", role="manager")).json()
    assert audit[0]["details"] == {"sku": "COKE-2L", "old_cents": 2799, "new_cents": 2999}
    gone = await shop.call("PATCH", "/api/v1/products/COKE-2L", role="manager", json={"active": False})
    assert gone.status_code == 200
    refused = await shop.post(f"/api/v1/sales/{sale_id}/lines", {"barcode": COKE_2L})
    assert refused.status_code == 404


def test_an_import_with_one_bad_row_imports_nothing(node_settings: NodeSettings, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    write_synthetic_catalog(good, 20)
    lines = good.read_text().splitlines()
    bad = tmp_path / "bad.csv"
    lines[7] = lines[7].replace(synthetic_barcode(6), wrong_check_digit(synthetic_barcode(6)))
    bad.write_text("\n".join(lines) + "\n")
    refused = subprocess.run(
        [str(BIN / "aiwebpos-edge"), "catalog", "import", "--data-dir", node_settings.data_dir, str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert refused.returncode == 1 and "line 8" in refused.stderr and "check digit" in refused.stderr
    imported = subprocess.run(
        [str(BIN / "aiwebpos-edge"), "catalog", "import", "--data-dir", node_settings.data_dir, str(good)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert imported.returncode == 0 and "imported 20 products" in imported.stdout


@pytest.mark.slow
def test_a_node_with_300000_products_starts_and_resolves_any_barcode(
    node_settings: NodeSettings, tmp_path: Path
) -> None:
    catalog = tmp_path / "catalog.csv"
    write_synthetic_catalog(catalog, 300_000)
    subprocess.run(
        [str(BIN / "aiwebpos-edge"), "catalog", "import", "--data-dir", node_settings.data_dir, str(catalog)],
        check=True,
        capture_output=True,
    )
    node = StoreNode(Path(node_settings.data_dir), mqtt_url=None)
    node.start()
    try:
        token = httpx.post(
            f"{node.url}/api/v1/auth/login", json={"username": "admin", "password": "admin-secret-1"}
        ).json()["access_token"]
        with httpx.Client(base_url=node.url, headers={"Authorization": f"Bearer {token}"}) as client:
            for index in (0, 123_456, 299_999):
                found = client.get("/api/v1/products", params={"barcode": synthetic_barcode(index)}).json()
                assert [p["sku"] for p in found] == [f"SYN-{index:07d}"]
            page = client.get("/api/v1/products", params={"q": "maize", "limit": 20}).json()
            assert len(page) == 20 and all(
                "maize" in p["name"].lower() or p["category"] == "Maize" for p in page
            )
    finally:
        node.stop()
