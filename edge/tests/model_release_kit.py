"""What the model release tests share: a fraud model trained on a tiny synthetic store, bundles as tar
artifacts, Ed25519-signed releases, and an HTTP server that serves the artifacts (the cloud's part)."""

import base64
import hashlib
import io
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec
import polars as pl
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from aiwebpos_contracts import uuid7
from aiwebpos_contracts.releases import BUNDLE_TAR, ModelRelease, Rollout, signing_payload
from aiwebpos_models.fraud import FraudModel, transaction_features

FRAUD = "aiwebpos-fraud"
FIRST = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


def fraud_frames() -> dict[str, pl.DataFrame]:
    """Six shifts of ten plain sales and one refund: enough rows for `FraudModel.fit`."""
    sales, lines, payments, shifts = [], [], [], []
    for s in range(6):
        shift, cashier, opened = f"S-{s}", ("thabo", "palesa")[s % 2], FIRST + timedelta(days=s)
        for j in range(10):
            receipt = f"MSU-01-T1-{s:02d}{j:04d}"
            total = 1000 + 370 * j + 50 * s
            sales.append(
                {
                    "receipt_no": receipt,
                    "store_id": "MSU-01",
                    "shift_id": shift,
                    "cashier": cashier,
                    "occurred_at": opened + timedelta(minutes=20 * j),
                    "line_count": 1 + j % 4,
                    "total_cents": total,
                    "discount_cents": 0,
                    "voided_count": int(j == 7),
                    "voided_cents": 2500 * int(j == 7),
                }
            )
            lines.append(
                {
                    "receipt_no": receipt,
                    "unit_price_cents": total,
                    "quantity": Decimal(1),
                    "price_overridden": False,
                }
            )
            payments.append({"receipt_no": receipt, "method": ("cash", "card")[j % 2], "amount_cents": total})
        shifts.append(
            {
                "shift_id": shift,
                "store_id": "MSU-01",
                "cashier": cashier,
                "opened_at": opened,
                "closed_at": opened + timedelta(hours=6),
                "sales_count": 10,
                "sales_total_cents": 40_000 + 100 * s,
                "voids_count": 1,
                "voids_cents": 2500,
                "discounts_cents": 0,
                "returns_cents": 1000,
                "cancelled_count": 0,
                "no_sales_count": s % 2,
                "variance_cents": 10 * s - 20,
                "cash_sales_cents": 20_000,
            }
        )
    returns = [
        {
            "credit_note_no": "MSU-01-T1-R00001",
            "original_receipt_no": sales[0]["receipt_no"],
            "store_id": "MSU-01",
            "shift_id": "S-1",
            "cashier": "palesa",
            "occurred_at": FIRST + timedelta(days=1, hours=1),
            "line_count": 1,
            "refund_cents": 1000,
            "refund_method": "card",
        }
    ]
    return {
        "sales": pl.DataFrame(sales),
        "sale_lines": pl.DataFrame(lines, schema_overrides={"quantity": pl.Decimal(18, 3)}),
        "payments": pl.DataFrame(payments),
        "returns": pl.DataFrame(returns),
        "shifts": pl.DataFrame(shifts),
    }


def fraud_transactions() -> pl.DataFrame:
    f = fraud_frames()
    return transaction_features(f["sales"], f["sale_lines"], f["payments"], f["returns"])


def fraud_artifact(folder: Path, version: str) -> bytes:
    """A trained fraud bundle, as the uncompressed tar a release points at (one per version)."""
    model = FraudModel(trees=10).fit(fraud_transactions(), fraud_frames()["shifts"])
    bundle = model.save(folder / f"fraud-{version}", {"version": version})
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(bundle, arcname="bundle")
    return buffer.getvalue()


class Signer:
    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()
        self.raw_public = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_b64 = base64.b64encode(self.raw_public).decode()
        self.key_id = hashlib.sha256(self.raw_public).hexdigest()[:16]

    def release(self, name: str, version: str, artifact: bytes, url: str, **fields: Any) -> ModelRelease:
        sha256 = hashlib.sha256(artifact).hexdigest()
        signature = self.key.sign(signing_payload(name, version, BUNDLE_TAR, sha256))
        values: dict[str, Any] = {
            "release_id": str(uuid7()),
            "name": name,
            "version": version,
            "artifact_url": url,
            "sha256": sha256,
            "size_bytes": len(artifact),
            "signature": base64.b64encode(signature).decode(),
            "key_id": self.key_id,
            "released_at": "2026-11-23T08:00:00.000Z",
            "rollout": Rollout(),
        }
        values.update(fields)
        return ModelRelease(**values)


def encode(release: ModelRelease) -> bytes:
    return msgspec.json.encode(release)


class ArtifactServer:
    """The cloud's artifact store: path → bytes, on a free port, in a thread."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        files, requests = self.files, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                body = files.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@contextmanager
def artifact_server() -> Iterator[ArtifactServer]:
    served = ArtifactServer()
    thread = threading.Thread(target=served.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        served.server.shutdown()
        served.server.server_close()
        thread.join(5)
