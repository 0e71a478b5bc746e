"""Importing a catalog file (CSV) of any size: every row is checked first, and nothing is written unless
all rows are good; then rows are upserted by SKU in chunks, so a running node is never blocked long.

The file is the one HQ reads too (`aiwebpos_contracts.catalog_file`).
"""

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aiwebpos_contracts.catalog_file import barcodes_in
from aiwebpos_edge import barcodes as gtin
from aiwebpos_edge.catalog.service import MAX_PRICE_CENTS, normal_plu
from aiwebpos_edge.vat import VAT_CLASSES

CHUNK = 10_000
_UPSERT = (
    "INSERT INTO products (sku, name, price_cents, vat_class, unit, category, plu, active, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (sku) DO UPDATE SET name = excluded.name,"
    " price_cents = excluded.price_cents, vat_class = excluded.vat_class, unit = excluded.unit,"
    " category = excluded.category, plu = excluded.plu, active = 1, updated_at = excluded.updated_at"
)


@dataclass(frozen=True)
class Row:
    sku: str
    name: str
    price_cents: int
    vat_class: str
    unit: str
    category: str
    barcodes: tuple[str, ...]
    plu: str | None


@dataclass
class CheckReport:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def check_rows(records: Iterable[tuple[int, dict[str, str]]], max_errors: int = 50) -> CheckReport:
    """Validate every row (pure): field rules, GTIN check digits, duplicates within the file."""
    report, skus, codes, plus = CheckReport(), set[str](), dict[str, str](), dict[str, str]()
    for number, record in records:
        try:
            row = _row(record)
        except ValueError as exc:
            report.errors.append(f"line {number}: {exc}")
        else:
            if row.sku in skus:
                report.errors.append(f"line {number}: SKU {row.sku} appears twice")
            for code in row.barcodes:
                if codes.setdefault(code, row.sku) != row.sku:
                    report.errors.append(f"line {number}: barcode {code} also belongs to SKU {codes[code]}")
            if row.plu is not None and plus.setdefault(row.plu, row.sku) != row.sku:
                report.errors.append(f"line {number}: PLU {row.plu} also belongs to SKU {plus[row.plu]}")
            skus.add(row.sku)
            report.rows.append(row)
        if len(report.errors) >= max_errors:
            report.errors.append("… stopped after too many errors")
            break
    return report


def _row(record: dict[str, str]) -> Row:
    sku, name = (record.get("sku") or "").strip(), (record.get("name") or "").strip()
    if not sku or len(sku) > 40:
        raise ValueError("sku is empty or longer than 40 characters")
    if not name or len(name) > 120:
        raise ValueError(f"SKU {sku}: name is empty or longer than 120 characters")
    try:
        price = int(record.get("price_cents") or "")
    except ValueError:
        raise ValueError(
            f"SKU {sku}: price_cents {record.get('price_cents')!r} is not a whole number"
        ) from None
    if not 0 <= price <= MAX_PRICE_CENTS:
        raise ValueError(f"SKU {sku}: price_cents out of range")
    vat_class, unit = (record.get("vat_class") or "").strip(), (record.get("unit") or "each").strip()
    if vat_class not in VAT_CLASSES:
        raise ValueError(f"SKU {sku}: vat_class must be one of {', '.join(VAT_CLASSES)}")
    if unit not in ("each", "kg"):
        raise ValueError(f"SKU {sku}: unit must be each or kg")
    codes = tuple(barcodes_in(record.get("barcodes")))
    try:
        codes = tuple(gtin.check_barcode(c) for c in codes)
    except gtin.BarcodeError as exc:
        raise ValueError(f"SKU {sku}: {exc}") from None
    plu = (record.get("plu") or "").strip() or None
    if plu is not None and not (plu.isdigit() and len(plu) <= 6):
        raise ValueError(f"SKU {sku}: plu must be 1–6 digits")
    return Row(
        sku,
        name,
        price,
        vat_class,
        unit,
        (record.get("category") or "").strip(),
        codes,
        normal_plu(plu) if plu else None,
    )


def conflicts_with_catalog(conn: sqlite3.Connection, rows: list[Row]) -> list[str]:
    """Barcodes the file gives to one SKU that the node already has on another."""
    errors = []
    pairs = [(code, row.sku) for row in rows for code in row.barcodes]
    for start in range(0, len(pairs), 500):
        chunk = dict(pairs[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for code, owner in conn.execute(
            f"SELECT b.code, p.sku FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.code IN ({marks})",
            list(chunk),
        ):
            if owner != chunk[code]:
                errors.append(f"barcode {code} is already SKU {owner}'s, not {chunk[code]}'s")
    return errors


def write_rows(conn: sqlite3.Connection, rows: list[Row], at: str, advance: Callable[[int], None]) -> None:
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                _UPSERT,
                [
                    (r.sku, r.name, r.price_cents, r.vat_class, r.unit, r.category, r.plu, at, at)
                    for r in chunk
                ],
            )
            marks = ",".join("?" * len(chunk))
            ids = dict(
                conn.execute(f"SELECT sku, id FROM products WHERE sku IN ({marks})", [r.sku for r in chunk])
            )
            conn.executemany(
                "INSERT INTO barcodes (code, product_id) VALUES (?, ?)"
                " ON CONFLICT (code) DO UPDATE SET product_id = excluded.product_id",
                [(code, ids[r.sku]) for r in chunk for code in r.barcodes],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        advance(len(chunk))
