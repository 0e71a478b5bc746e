"""All the SQL of the catalog."""

import sqlite3
from collections.abc import Iterable, Mapping

from aiwebpos_edge.catalog.models import Product
from aiwebpos_edge.db.rows import update_row

_COLUMNS = "p.id, p.sku, p.name, p.price_cents, p.vat_class, p.unit, p.category, p.plu, p.active"


def _products(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> list[Product]:
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    codes: dict[int, list[str]] = {i: [] for i in ids}
    marks = ",".join("?" * len(ids))
    for code, product_id in conn.execute(
        f"SELECT code, product_id FROM barcodes WHERE product_id IN ({marks}) ORDER BY code", ids
    ):
        codes[product_id].append(code)
    return [
        Product(
            id=row["id"],
            sku=row["sku"],
            name=row["name"],
            price_cents=row["price_cents"],
            vat_class=row["vat_class"],
            unit=row["unit"],
            category=row["category"],
            plu=row["plu"],
            active=bool(row["active"]),
            barcodes=codes[row["id"]],
        )
        for row in rows
    ]


def _one(conn: sqlite3.Connection, where: str, value: object) -> Product | None:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM products p WHERE {where}", (value,)).fetchall()
    found = _products(conn, rows)
    return found[0] if found else None


def by_sku(conn: sqlite3.Connection, sku: str) -> Product | None:
    return _one(conn, "p.sku = ?", sku)


def by_id(conn: sqlite3.Connection, product_id: int) -> Product | None:
    return _one(conn, "p.id = ?", product_id)


def by_barcode(conn: sqlite3.Connection, code: str) -> Product | None:
    return _one(conn, "p.id = (SELECT product_id FROM barcodes WHERE code = ?)", code)


def by_plu(conn: sqlite3.Connection, plu: str) -> Product | None:
    return _one(conn, "p.plu = ?", plu)


def barcode_owner(conn: sqlite3.Connection, code: str) -> str | None:
    row = conn.execute(
        "SELECT p.sku FROM barcodes b JOIN products p ON p.id = b.product_id WHERE b.code = ?", (code,)
    ).fetchone()
    return row[0] if row else None


def search(conn: sqlite3.Connection, match: str | None, limit: int, include_inactive: bool) -> list[Product]:
    active = "" if include_inactive else " AND p.active = 1"
    if match is None:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM products p WHERE 1 = 1{active} ORDER BY p.name LIMIT ?", (limit,)
        ).fetchall()
    else:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM products_fts f JOIN products p ON p.id = f.rowid"
            f" WHERE products_fts MATCH ?{active} ORDER BY f.rank LIMIT ?",
            (match, limit),
        ).fetchall()
    return _products(conn, rows)


def insert(conn: sqlite3.Connection, product: Product, at: str) -> int:
    cur = conn.execute(
        "INSERT INTO products (sku, name, price_cents, vat_class, unit, category, plu, active, created_at,"
        " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            product.sku,
            product.name,
            product.price_cents,
            product.vat_class,
            product.unit,
            product.category,
            product.plu,
            int(product.active),
            at,
            at,
        ),
    )
    product_id = int(cur.lastrowid or 0)
    add_barcodes(conn, product_id, product.barcodes)
    return product_id


def add_barcodes(conn: sqlite3.Connection, product_id: int, codes: Iterable[str]) -> None:
    conn.executemany(
        "INSERT INTO barcodes (code, product_id) VALUES (?, ?)", [(c, product_id) for c in codes]
    )


def remove_barcodes(conn: sqlite3.Connection, product_id: int, codes: Iterable[str]) -> None:
    conn.executemany(
        "DELETE FROM barcodes WHERE code = ? AND product_id = ?", [(c, product_id) for c in codes]
    )


def update(conn: sqlite3.Connection, product_id: int, at: str, fields: Mapping[str, object]) -> None:
    update_row(conn, "products", ("id", product_id), {**fields, "updated_at": at})
