"""A completed sale's event names the lines voided before completion (what fraud models look at)."""

import msgspec
from catalog_codes import COKE_2L, MAIZE_10KG, SUGAR
from edge_support import Shop

from aiwebpos_contracts import decode_envelope
from aiwebpos_contracts.events import SaleCompleted, VoidedLine
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.settings import NodeSettings


def _sale_events(settings: NodeSettings) -> list[SaleCompleted]:
    conn = connect(settings.db_path, readonly=True)
    rows = conn.execute("SELECT envelope FROM outbox WHERE type = 'sale.completed' ORDER BY seq").fetchall()
    conn.close()
    return [msgspec.convert(decode_envelope(row[0]).payload, SaleCompleted) for row in rows]


async def test_a_sale_with_a_voided_line_carries_it_in_its_outbox_event(
    shop: Shop, node_settings: NodeSettings
) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    await shop.scan(sale_id, SUGAR)
    await shop.scan(sale_id, COKE_2L, quantity="2")
    sale = await shop.scan(sale_id, MAIZE_10KG)
    coke = sale["lines"][1]["line_id"]
    voided = await shop.call(
        "DELETE", f"/api/v1/sales/{sale_id}/lines/{coke}", json={"reason": "scanned twice"}
    )
    assert voided.status_code == 200
    await shop.pay(sale_id, "cash", voided.json()["cash_due_cents"])
    receipt = await shop.complete(sale_id)

    [event] = _sale_events(node_settings)

    assert event.voided_lines == [
        VoidedLine(
            line_id=coke,
            sku="COKE-2L",
            name="Coca-Cola 2 L",
            quantity="2",
            total_cents=2 * 2799,
            reason="scanned twice",
        )
    ]
    assert [line.sku for line in event.receipt.lines] == ["SUGAR-25", "MM-IWISA-10"]
    assert receipt["total_cents"] == 5499 + 12999


async def test_a_sale_without_voids_carries_an_empty_list(shop: Shop, node_settings: NodeSettings) -> None:
    await shop.sell(await shop.open_shift(), SUGAR)
    [event] = _sale_events(node_settings)
    assert event.voided_lines == []
