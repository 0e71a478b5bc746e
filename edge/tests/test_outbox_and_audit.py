"""Every business change leaves its event in the outbox (gap-free seq, valid envelope) and every
critical action an entry in a hash chain that `aiwebpos-edge audit verify` checks."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import msgspec
from catalog_codes import COKE_2L, SUGAR
from edge_support import Shop

from aiwebpos_contracts import EVENT_PAYLOADS, decode_envelope
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.settings import NodeSettings


def _outbox(settings: NodeSettings) -> list[sqlite3.Row]:
    conn = connect(settings.db_path, readonly=True)
    rows = conn.execute("SELECT * FROM outbox ORDER BY seq").fetchall()
    conn.close()
    return rows


async def test_events_are_written_with_gap_free_seq_and_valid_payloads(
    shop: Shop, node_settings: NodeSettings
) -> None:
    shift = await shop.open_shift()
    receipt = await shop.sell(shift, SUGAR, COKE_2L)
    await shop.post(
        "/api/v1/returns",
        {
            "terminal_id": "T1",
            "receipt_no": receipt["receipt_no"],
            "refund_method": "cash",
            "reason": "x",
            "lines": [{"line_id": receipt["lines"][0]["line_id"], "quantity": "1"}],
        },
    )
    rows = _outbox(node_settings)
    assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
    for row in rows:
        envelope = decode_envelope(row["envelope"])
        assert envelope.seq == row["seq"] and envelope.store_id == "MSU-01" and envelope.v == 1
        msgspec.convert(envelope.payload, EVENT_PAYLOADS[envelope.type])  # the payload matches its contract
        assert envelope.event_id[14] == "7", "UUIDv7"
    types = [r["type"] for r in rows]
    assert {"shift.opened", "sale.completed", "return.completed", "audit.recorded"} <= set(types)
    completed = decode_envelope(next(r["envelope"] for r in rows if r["type"] == "sale.completed"))
    assert completed.payload["receipt"] == receipt and completed.terminal_id == "T1"


async def test_a_refused_operation_writes_no_event(shop: Shop, node_settings: NodeSettings) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    before = len(_outbox(node_settings))
    assert (await shop.post(f"/api/v1/sales/{sale_id}/complete", {})).status_code == 409
    assert (await shop.post(f"/api/v1/sales/{sale_id}/cancel", {"reason": ""})).status_code == 422
    assert len(_outbox(node_settings)) == before


def _verify(settings: NodeSettings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).parent / "aiwebpos-edge"),
            "audit",
            "verify",
            "--data-dir",
            settings.data_dir,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


async def test_audit_verify_detects_an_edited_entry(shop: Shop, node_settings: NodeSettings) -> None:
    sale_id = await shop.new_sale(await shop.open_shift())
    line = (await shop.scan(sale_id, COKE_2L))["lines"][0]["line_id"]
    await shop.call("DELETE", f"/api/v1/sales/{sale_id}/lines/{line}", json={"reason": "scanned twice"})
    ok = _verify(node_settings)
    assert ok.returncode == 0 and "intact" in ok.stdout
    conn = connect(node_settings.db_path)
    details = json.dumps({"reason": "customer changed mind"})
    conn.execute("UPDATE audit_log SET details = ? WHERE action = 'line.voided'", (details,))
    conn.close()
    tampered = _verify(node_settings)
    assert tampered.returncode == 1 and "line.voided" in tampered.stderr and "altered" in tampered.stderr


async def test_audit_verify_detects_deleted_entries_in_the_middle_and_at_the_end(
    shop: Shop, node_settings: NodeSettings
) -> None:
    for _ in range(3):
        await shop.post("/api/v1/auth/logout")
        shop.forget_logins()
        await shop.headers("cashier")
    conn = connect(node_settings.db_path)
    last = conn.execute("SELECT MAX(id) FROM audit_log").fetchone()[0]
    conn.execute("DELETE FROM audit_log WHERE id = ?", (last,))
    conn.close()
    assert _verify(node_settings).returncode == 1, "the newest entry removed"
    conn = connect(node_settings.db_path)
    conn.execute("DELETE FROM audit_log WHERE id = 3")
    conn.close()
    result = _verify(node_settings)
    assert result.returncode == 1 and "missing" in result.stderr
