"""A year of a 36-store chain, 20 million sale lines, written straight into the lakehouse's Delta tables.

For `bench/hq_queries`: numpy and pyarrow make the rows with the lakehouse's schemas and partitions (one
file per store and UTC day per table, as after compaction) — not through the ingest, which would take
hours. It is cached under var/bench/hq_lake/<LAKE_VERSION>-<lines>/ and reused.
"""

import json
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from deltalake import write_deltalake

from aiwebpos_cloud.lakehouse.outputs import FORECASTS, FRAUD_ALERTS
from aiwebpos_cloud.lakehouse.tables import (
    CANCELLED_SALES,
    DRAWER_OPENINGS,
    PAYMENTS,
    PRODUCTS,
    RECEIPT_VAT,
    RETURN_LINES,
    RETURNS,
    SALE_LINES,
    SALES,
    STORES,
    TableSpec,
)
from bench.results import OUT_DIR

LAKE_VERSION = "hq-lake-1"  # change it whenever the generator changes: the cached lake is rebuilt
SALE_LINES_DEFAULT = 20_000_000
STORE_COUNT, SKU_COUNT, DAYS = 36, 3_000, 365
LAST_DAY = date(2025, 12, 31)  # fixed, so that a cached lake stays the same year
FIRST_DAY = LAST_DAY - timedelta(days=DAYS - 1)
MEAN_LINES = 5.0  # lines per receipt: 20M lines are ~4M receipts
SEED = 2025
US_PER_S, S_PER_DAY = 1_000_000, 86_400
MASERU_OFFSET_S = 2 * 3600  # UTC+2 all year (no DST)

# name, SKU prefix, VAT class, share of the SKUs, median shelf price (cents), sold by weight
CATEGORIES = (
    ("Maize meal", "MZ", "zero", 0.04, 9_000, False),
    ("Bread & bakery", "BR", "zero", 0.05, 1_800, False),
    ("Dairy & eggs", "DY", "standard", 0.07, 2_500, False),
    ("Meat", "MT", "standard", 0.05, 9_000, True),
    ("Fruit & vegetables", "FV", "zero", 0.06, 1_500, True),
    ("Groceries", "GR", "standard", 0.22, 3_000, False),
    ("Beverages", "BV", "standard", 0.12, 1_800, False),
    ("Snacks & sweets", "SN", "standard", 0.09, 1_200, False),
    ("Household", "HH", "standard", 0.09, 4_500, False),
    ("Toiletries", "TL", "standard", 0.09, 3_500, False),
    ("Paraffin & fuel", "PF", "zero", 0.01, 2_500, False),
    ("Airtime & electricity", "AE", "reduced", 0.02, 5_000, False),
    ("School & stationery", "SS", "standard", 0.03, 2_000, False),
    ("Services", "SV", "exempt", 0.01, 1_000, False),
)
VAT_CLASSES = ("standard", "reduced", "zero", "exempt")
VAT_RATES = np.array([15, 10, 0, 0])
TOWNS = ("MSU", "TY", "MPT", "MFT", "LRB", "MHK", "BB", "QTG", "QN", "MKG", "TT", "ROM")
TENDERS = (("cash", "LSL"), ("cash", "ZAR"), ("card", "LSL"), ("mobile_money", "LSL"), ("account", "LSL"))
TENDER_MIX = np.array([0.40, 0.12, 0.25, 0.18, 0.05])
# local opening hours 07:00-20:00, busiest late morning and after work
HOUR_WEIGHTS = np.array([0] * 7 + [3, 6, 8, 9, 10, 10, 8, 6, 7, 9, 9, 6, 3] + [0] * 4, dtype=float)
NIGHT_HOUR_WEIGHTS = HOUR_WEIGHTS + np.array([0.4] * 7 + [0] * 13 + [1.0] * 4)  # a 24-hour store
CASHIERS_PER_STORE = 8


@dataclass(frozen=True)
class Catalog:
    sku: pa.Array
    name: pa.Array
    category: np.ndarray  # index into CATEGORIES
    vat: np.ndarray  # index into VAT_CLASSES
    weighed: np.ndarray
    price: np.ndarray
    popularity: np.ndarray  # probability that a line is of this SKU
    discontinued: np.ndarray  # day index from which it is no longer sold (DAYS: never)


def lake_dir(sale_lines: int) -> Path:
    return OUT_DIR / "hq_lake" / f"{LAKE_VERSION}-{sale_lines}"


def store_ids() -> list[str]:
    return [f"{TOWNS[i % len(TOWNS)]}-{i + 1:02d}" for i in range(STORE_COUNT)]


def build_catalog(rng: np.random.Generator) -> Catalog:
    shares = np.array([c[3] for c in CATEGORIES])
    category = np.sort(rng.choice(len(CATEGORIES), size=SKU_COUNT, p=shares / shares.sum()))
    prefix = [CATEGORIES[c][1] for c in category]
    number = np.concatenate([np.arange(1, n + 1) for n in np.bincount(category, minlength=len(CATEGORIES))])
    skus = [f"{p}-{n:04d}" for p, n in zip(prefix, number, strict=True)]
    names = [f"{CATEGORIES[c][0]} item {n}" for c, n in zip(category, number, strict=True)]
    median_price = np.array([CATEGORIES[c][4] for c in category])
    price = (median_price * rng.lognormal(0, 0.5, SKU_COUNT)).astype(np.int64) // 50 * 50 + 49
    popularity = 1 / (rng.permutation(SKU_COUNT) + 20.0) ** 1.1  # a long tail
    popularity[rng.choice(SKU_COUNT, 20, replace=False)] = 0  # dead stock: on the shelf, never sold
    discontinued = np.where(rng.random(SKU_COUNT) < 0.02, rng.integers(30, DAYS, SKU_COUNT), DAYS)
    return Catalog(
        sku=pa.array(skus),
        name=pa.array(names),
        category=category,
        vat=np.array([VAT_CLASSES.index(CATEGORIES[c][2]) for c in category]),
        weighed=np.array([CATEGORIES[c][5] for c in category]),
        price=price,
        popularity=popularity / popularity.sum(),
        discontinued=discontinued,
    )


def decimals(unscaled: np.ndarray, kind: pa.DataType) -> pa.Array:
    """A decimal128 array from its unscaled integers (1.5 kg at scale 3: 1500), without Python objects."""
    words = np.empty((len(unscaled), 2), dtype=np.int64)  # little-endian 128-bit two's complement
    words[:, 0] = unscaled
    words[:, 1] = np.where(unscaled < 0, -1, 0)
    return pa.Array.from_buffers(kind, len(unscaled), [None, pa.py_buffer(words)])


def texts(prefix: str, numbers: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def instants(us: np.ndarray) -> pa.Array:
    return pa.array(us, type=pa.timestamp("us", tz="UTC"))


def utc_dates(us: np.ndarray) -> pa.Array:
    return pa.array((us // (S_PER_DAY * US_PER_S)).astype(np.int32), type=pa.date32())


def vat_of(gross: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """round_half_up(gross × r / (100 + r)) in integers (CONTRACTS.md §2), for gross of either sign."""
    magnitude = (2 * np.abs(gross) * rate + (100 + rate)) // (2 * (100 + rate))
    return np.asarray(np.sign(gross) * magnitude, dtype=np.int64)


def local_midnight_us(day_index: np.ndarray) -> np.ndarray:
    epoch_day = (FIRST_DAY - date(1970, 1, 1)).days + day_index
    return (epoch_day * S_PER_DAY - MASERU_OFFSET_S) * US_PER_S


def day_weights(rng: np.random.Generator, opens_on: int) -> np.ndarray:
    days = np.arange(DAYS)
    weekday = np.array([0.9, 0.85, 0.9, 0.95, 1.25, 1.35, 0.8])[(FIRST_DAY.weekday() + days) % 7]
    month_end = np.where(
        np.isin([(FIRST_DAY + timedelta(days=int(d))).day for d in days], (25, 26, 27, 28, 29, 30, 31, 1)),
        1.3,
        1.0,
    )
    festive = 1 + 0.4 * np.exp(-(((days - (DAYS - 8)) / 6.0) ** 2))
    weights = weekday * month_end * festive * rng.lognormal(0, 0.1, DAYS) * (days >= opens_on)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


FIRST_NAMES = (
    "thabo",
    "palesa",
    "lerato",
    "mpho",
    "neo",
    "teboho",
    "refiloe",
    "tumelo",
    "karabo",
    "lineo",
    "tsepo",
    "puleng",
    "limpho",
    "bokang",
    "katleho",
    "mosa",
    "thato",
    "lintle",
)
RETURN_REASONS = ("damaged", "expired", "wrong item", "changed mind")
NO_SALE_REASONS = (
    "change for the float",
    "cash pickup by manager",
    "checking a note",
    "customer change for taxi fare",
)


def column(value: Any, kind: pa.DataType, rows: int) -> pa.Array:
    if value is None:
        return pa.nulls(rows, type=kind)
    if isinstance(value, str | int | float | date):
        return pa.repeat(pa.scalar(value, type=kind), rows)
    array = value if isinstance(value, pa.Array | pa.ChunkedArray) else pa.array(value)
    return array.cast(kind)


def rows_of(spec: TableSpec, rows: int, **columns: Any) -> pa.Table:
    """A table with exactly the spec's schema (field order, types, nullability); a missing column is null."""
    arrays = [column(columns.get(f.name), f.type, rows) for f in spec.schema]
    return pa.Table.from_arrays(arrays, schema=spec.schema)


@dataclass(frozen=True)
class Staff:
    names: pa.Array
    suspicious: (
        np.ndarray
    )  # the one dishonest cashier of some stores voids, refunds and opens the drawer more

    def pick(self, rng: np.random.Generator, size: int) -> np.ndarray:
        weights = np.where(self.suspicious, 4.0, 1.0)
        return rng.choice(len(weights), size, p=weights / weights.sum())


def staff_of(store: int) -> Staff:
    names = [
        f"{FIRST_NAMES[(store * 5 + k) % len(FIRST_NAMES)]}.{'mklnstpr'[k]}"
        for k in range(CASHIERS_PER_STORE)
    ]
    suspicious = np.zeros(CASHIERS_PER_STORE, dtype=bool)
    suspicious[-1] = store % 6 == 0
    return Staff(pa.array(names), suspicious)


def line_counts(lines: int, rng: np.random.Generator) -> np.ndarray:
    """Lines of each receipt (1 + Poisson), cut so that they add up to exactly `lines`."""
    counts = 1 + rng.poisson(MEAN_LINES - 1, int(lines / MEAN_LINES * 1.05) + 10)
    ends = np.cumsum(counts)
    receipts = int(np.searchsorted(ends, lines)) + 1
    counts = counts[:receipts]
    counts[-1] -= int(ends[receipts - 1]) - lines
    return counts


def moments(rng: np.random.Generator, day: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """UTC microseconds of instants on the given local days, at hours drawn from `hours`."""
    second = rng.choice(24, len(day), p=hours / hours.sum()) * 3600 + rng.integers(0, 3600, len(day))
    return np.asarray(local_midnight_us(day) + second * US_PER_S + rng.integers(0, US_PER_S, len(day)))


def local_day(us: np.ndarray) -> np.ndarray:
    return (us // US_PER_S + MASERU_OFFSET_S) // S_PER_DAY - (FIRST_DAY - date(1970, 1, 1)).days


def local_second(us: np.ndarray) -> np.ndarray:
    return (us // US_PER_S + MASERU_OFFSET_S) % S_PER_DAY


@dataclass
class Store:
    index: int
    store_id: str
    staff: Staff
    hours: np.ndarray
    terminals: int

    @classmethod
    def number(cls, index: int) -> "Store":
        hours = NIGHT_HOUR_WEIGHTS if index == 0 else HOUR_WEIGHTS
        return cls(index, store_ids()[index], staff_of(index), hours, 2 + index % 3)

    def common(self, prefix: str, at: np.ndarray, terminal: np.ndarray | None) -> dict[str, Any]:
        """The origin columns of a derived row: event id, store, UTC date partition, terminal, instant."""
        return {
            "event_id": texts(f"{prefix}{self.index:02d}-", np.arange(len(at))),
            "store_id": self.store_id,
            "date": utc_dates(at),
            "terminal_id": None if terminal is None else texts("T", terminal + 1),
            "occurred_at": instants(at),
        }

    def shift_of(self, at: np.ndarray, terminal: np.ndarray) -> np.ndarray:
        """Two shifts a day on every terminal, the cashiers taking turns day by day."""
        afternoon = local_second(at) >= 14 * 3600
        return np.asarray((local_day(at) * self.terminals + terminal) * 2 + afternoon)


@dataclass(frozen=True)
class Receipts:
    """A store's sales of the year (arrays with one entry per receipt), what tenders and returns need."""

    store: Store
    at: np.ndarray
    common: dict[str, Any]  # the origin columns of each sale (event id, store, date, terminal, instant)
    receipt_no: pa.Array
    sale_id: pa.Array
    total: np.ndarray
    tender: np.ndarray
    suspicious: np.ndarray  # rung up by the store's dishonest cashier
    first_line: np.ndarray  # index of each receipt's first line in the line arrays below
    line_sku: np.ndarray
    line_milli: np.ndarray
    line_total: np.ndarray


def sales_and_lines(
    store: Store, lines: int, catalog: Catalog, rng: np.random.Generator
) -> dict[str, pa.Table]:
    counts = line_counts(lines, rng)
    n = len(counts)
    opens_on = DAYS // 2 if store.index == STORE_COUNT - 1 else 0  # the newest store opened mid-year
    at = np.sort(moments(rng, rng.choice(DAYS, n, p=day_weights(rng, opens_on)), store.hours))
    terminal = rng.integers(0, store.terminals, n)
    shift = store.shift_of(at, terminal)
    cashier = shift % CASHIERS_PER_STORE

    receipt_of_line = np.repeat(np.arange(n), counts)
    line_id = np.arange(lines) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    sku = rng.choice(SKU_COUNT, lines, p=catalog.popularity)
    line_day = local_day(at)[receipt_of_line]
    stale = catalog.discontinued[sku] <= line_day
    while stale.any():  # a discontinued SKU is no longer sold: draw another
        sku[stale] = rng.choice(SKU_COUNT, int(stale.sum()), p=catalog.popularity)
        stale = catalog.discontinued[sku] <= line_day
    milli = np.where(catalog.weighed[sku], rng.integers(150, 2500, lines), 1000 * rng.geometric(0.72, lines))
    price = catalog.price[sku]
    gross = (milli * price + 500) // 1000
    discount = np.where(rng.random(lines) < 0.02, gross // 10, 0)
    total = gross - discount
    vat_class = catalog.vat[sku]

    def per_receipt(values: np.ndarray) -> np.ndarray:
        return np.bincount(receipt_of_line, weights=values, minlength=n).astype(np.int64)

    keys, inverse = np.unique(receipt_of_line * 4 + vat_class, return_inverse=True)
    class_gross = np.bincount(inverse, weights=total).astype(np.int64)
    class_rate = VAT_RATES[keys % 4]
    class_vat = vat_of(class_gross, class_rate)
    receipt_total, receipt_discount = per_receipt(total), per_receipt(discount)
    receipt_vat = np.bincount(keys // 4, weights=class_vat, minlength=n).astype(np.int64)

    sale = store.common("S", at, terminal)
    receipt_no = texts(f"{store.store_id}-", np.arange(1, n + 1))
    sale_id = texts(f"sale-{store.index:02d}-", np.arange(n))
    suspicious = store.staff.suspicious[cashier]
    receipts = Receipts(
        store,
        at,
        sale,
        receipt_no,
        sale_id,
        receipt_total,
        tender=rng.choice(len(TENDERS), n, p=TENDER_MIX),
        suspicious=suspicious,
        first_line=np.cumsum(counts) - counts,
        line_sku=sku,
        line_milli=milli,
        line_total=total,
    )
    payments, paid, change = tender_rows(receipts, rng)
    voided = np.where(rng.random(n) < np.where(suspicious, 0.16, 0.04), rng.integers(1, 3, n), 0)
    tables = {
        "sales": rows_of(
            SALES,
            n,
            **sale,
            seq=np.arange(1, n + 1),
            receipt_no=receipt_no,
            sale_id=sale_id,
            document="tax_invoice",
            shift_id=texts(f"{store.store_id}-shift-", shift),
            cashier=store.staff.names.take(pa.array(cashier)),
            customer_id=pc.if_else(
                pa.array(receipts.tender == 4), texts(f"C{store.index:02d}-", rng.integers(1, 300, n)), None
            ),
            line_count=counts,
            subtotal_cents=receipt_total + receipt_discount,
            discount_cents=receipt_discount,
            total_cents=receipt_total,
            vat_cents=receipt_vat,
            rounding_cents=0,
            total_due_cents=receipt_total,
            paid_cents=paid,
            change_cents=change,
            fraud_model="aiwebpos-fraud",
            fraud_score=rng.beta(1, 30, n),
            voided_count=voided,
            voided_cents=voided * catalog.price[rng.choice(SKU_COUNT, n, p=catalog.popularity)],
        ),
        "sale_lines": rows_of(
            SALE_LINES,
            lines,
            **{k: take(v, receipt_of_line) for k, v in sale.items()},
            receipt_no=receipt_no.take(pa.array(receipt_of_line)),
            sale_id=sale_id.take(pa.array(receipt_of_line)),
            line_id=line_id,
            sku=catalog.sku.take(pa.array(sku)),
            name=catalog.name.take(pa.array(sku)),
            quantity=decimals(milli, SALE_LINES.schema.field("quantity").type),
            unit=pa.array(np.where(catalog.weighed[sku], "kg", "each")),
            unit_price_cents=price,
            discount_cents=discount,
            total_cents=total,
            vat_class=pa.array(np.array(VAT_CLASSES)[vat_class]),
            vat_rate=decimals(VAT_RATES[vat_class] * 10_000, SALE_LINES.schema.field("vat_rate").type),
            price_overridden=rng.random(lines) < 0.001,
        ),
        "receipt_vat": rows_of(
            RECEIPT_VAT,
            len(keys),
            **{k: take(v, keys // 4) for k, v in sale.items()},
            receipt_no=receipt_no.take(pa.array(keys // 4)),
            document="tax_invoice",
            vat_class=pa.array(np.array(VAT_CLASSES)[keys % 4]),
            rate=decimals(class_rate * 10_000, RECEIPT_VAT.schema.field("rate").type),
            gross_cents=class_gross,
            net_cents=class_gross - class_vat,
            vat_cents=class_vat,
        ),
        "payments": payments,
    }
    for name, table in returns_of(receipts, catalog, rng).items():
        tables[name] = pa.concat_tables([tables[name], table]) if name in tables else table
    return tables


def take(value: Any, index: np.ndarray) -> Any:
    """The value of each receipt for each of its lines (or VAT rows); constants stay constants."""
    if isinstance(value, str) or value is None:
        return value
    return value.take(pa.array(index))


def tender_rows(receipts: Receipts, rng: np.random.Generator) -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """One tender per sale, a tenth of card payers paying the rest in cash; cash (LSL or rand at par) in
    notes, change in LSL. Answers the payments, and each sale's paid and change."""
    total, tender = receipts.total, receipts.tender
    split = (tender == 2) & (rng.random(len(total)) < 0.1)
    first = np.where(split, total * 6 // 10, total)
    note = np.where(first < 5_000, 1_000, np.where(first < 20_000, 5_000, 10_000))
    cash = tender <= 1
    first = np.where(cash, -(-first // note) * note, first)
    rest = np.where(split, total - total * 6 // 10, 0)
    second = -(-rest // 1_000) * 1_000
    change = np.where(cash, first - total, 0) + (second - rest)
    index = np.concatenate([np.arange(len(total)), np.flatnonzero(split)])
    method = np.array([m for m, _ in TENDERS])[tender]
    currency = np.array([c for _, c in TENDERS])[tender]
    rows = rows_of(
        PAYMENTS,
        len(index),
        **{k: take(v, index) for k, v in receipts.common.items()},
        receipt_no=receipts.receipt_no.take(pa.array(index)),
        sale_id=receipts.sale_id.take(pa.array(index)),
        document="tax_invoice",
        payment_id=np.where(np.arange(len(index)) < len(total), 1, 2),
        method=pa.array(np.concatenate([method, np.full(int(split.sum()), "cash")])),
        amount_cents=np.concatenate([first, second[split]]),
        currency=pa.array(np.concatenate([currency, np.full(int(split.sum()), "LSL")])),
    )
    return rows, first + second, change


def returns_of(receipts: Receipts, catalog: Catalog, rng: np.random.Generator) -> dict[str, pa.Table]:
    """About 1 sale in 250 has its first line returned within a week (1 in 80 at a dishonest cashier's till)."""
    store, tender, receipt_no, sale_id = (
        receipts.store,
        receipts.tender,
        receipts.receipt_no,
        receipts.sale_id,
    )
    original = np.flatnonzero(rng.random(len(receipts.at)) < np.where(receipts.suspicious, 0.012, 0.004))
    day = local_day(receipts.at[original]) + rng.integers(0, 7, len(original))
    original, day = original[day < DAYS], day[day < DAYS]
    returned_at = moments(rng, day, store.hours)
    order = np.argsort(returned_at)
    original, returned_at = original[order], returned_at[order]
    n = len(original)
    line = receipts.first_line[original]
    sku = receipts.line_sku[line]
    refund = receipts.line_total[line]
    rate = VAT_RATES[catalog.vat[sku]]
    vat = vat_of(-refund, rate)
    terminal = rng.integers(0, store.terminals, n)
    common = store.common("R", returned_at, terminal)
    note_no = texts(f"{store.store_id}-CN-", np.arange(1, n + 1))
    method = np.where(tender[original] <= 1, "cash", np.array([m for m, _ in TENDERS])[tender[original]])
    vat_class = pa.array(np.array(VAT_CLASSES)[catalog.vat[sku]])
    shared = {
        "return_id": texts(f"return-{store.index:02d}-", np.arange(n)),
        "credit_note_no": note_no,
        "original_receipt_no": receipt_no.take(pa.array(original)),
    }
    return {
        "returns": rows_of(
            RETURNS,
            n,
            **common,
            **shared,
            original_sale_id=sale_id.take(pa.array(original)),
            shift_id=texts(f"{store.store_id}-shift-", store.shift_of(returned_at, terminal)),
            refund_method=pa.array(method),
            refund_cents=refund,
            vat_cents=vat,
            reason=pa.array(np.array(RETURN_REASONS)[rng.integers(0, len(RETURN_REASONS), n)]),
            cashier=store.staff.names.take(pa.array(store.staff.pick(rng, n))),
            line_count=1,
        ),
        "return_lines": rows_of(
            RETURN_LINES,
            n,
            **common,
            **shared,
            line_id=1,
            sku=catalog.sku.take(pa.array(sku)),
            name=catalog.name.take(pa.array(sku)),
            quantity=decimals(receipts.line_milli[line], RETURN_LINES.schema.field("quantity").type),
            refund_cents=refund,
            vat_class=vat_class,
        ),
        "receipt_vat": rows_of(
            RECEIPT_VAT,
            n,
            **common,
            receipt_no=note_no,
            document="credit_note",
            vat_class=vat_class,
            rate=decimals(rate * 10_000, RECEIPT_VAT.schema.field("rate").type),
            gross_cents=-refund,
            net_cents=-refund - vat,
            vat_cents=vat,
        ),
        "payments": rows_of(
            PAYMENTS,
            n,
            **common,
            receipt_no=note_no,
            sale_id=sale_id.take(pa.array(original)),
            document="credit_note",
            payment_id=0,
            method=pa.array(method),
            amount_cents=-refund,
            currency="LSL",
        ),
    }


def no_sales_and_cancels(store: Store, rng: np.random.Generator) -> dict[str, pa.Table]:
    """About 1.5 drawer openings without a sale and one cancelled sale per store and day."""
    opens_on = DAYS // 2 if store.index == STORE_COUNT - 1 else 0
    tables = {}
    for spec, prefix, per_day in ((DRAWER_OPENINGS, "D", 1.5), (CANCELLED_SALES, "C", 1.0)):
        n = int(rng.poisson(per_day * (DAYS - opens_on)))
        at = np.sort(moments(rng, rng.integers(opens_on, DAYS, n), store.hours))
        terminal = rng.integers(0, store.terminals, n)
        who = store.staff.pick(rng, n)
        extra: dict[str, Any] = (
            {"reason": pa.array(np.array(NO_SALE_REASONS)[rng.integers(0, len(NO_SALE_REASONS), n)])}
            if spec is DRAWER_OPENINGS
            else {
                "sale_id": texts(f"cancelled-{store.index:02d}-", np.arange(n)),
                "reason": "customer short of money",
                "line_count": rng.integers(1, 8, n),
                "total_cents": rng.integers(500, 60_000, n),
            }
        )
        tables[spec.name] = rows_of(
            spec,
            n,
            **store.common(prefix, at, terminal),
            cashier=store.staff.names.take(pa.array(who)),
            shift_id=texts(f"{store.store_id}-shift-", store.shift_of(at, terminal)),
            **extra,
        )
    return tables


def reference_tables(catalog: Catalog, rng: np.random.Generator) -> dict[str, pa.Table]:
    stamp = datetime.combine(LAST_DAY, datetime.min.time(), UTC)
    price = catalog.price
    ids = store_ids()
    return {
        "products": rows_of(
            PRODUCTS,
            SKU_COUNT,
            sku=catalog.sku,
            name=catalog.name,
            category=pa.array(np.array([c[0] for c in CATEGORIES])[catalog.category]),
            vat_class=pa.array(np.array(VAT_CLASSES)[catalog.vat]),
            unit=pa.array(np.where(catalog.weighed, "kg", "each")),
            price_cents=price,
            cost_cents=price * 100 // 115 * 8 // 10,
            pack_size=12,
            lead_time_days=4,
            introduced_on=date(2020, 1, 1),
            discontinued_on=pa.array(
                [FIRST_DAY + timedelta(days=int(d)) if d < DAYS else None for d in catalog.discontinued],
                type=pa.date32(),
            ),
            updated_at=stamp,
        ),
        "stores": rows_of(
            STORES,
            STORE_COUNT,
            store_id=pa.array(ids),
            name=pa.array([f"Khotso {i}" for i in ids]),
            town=pa.array([i.split("-")[0] for i in ids]),
            opened_on=date(2019, 1, 1),
            updated_at=stamp,
        ),
    }


def model_outputs(
    catalog: Catalog, lines_per_store: np.ndarray, rng: np.random.Generator
) -> dict[str, pa.Table]:
    """The last 28 days forecast for each store's 300 best sellers; 1,500 fraud alerts over the year."""
    top = np.argsort(-catalog.popularity)[:300]
    store, sku, day = (
        a.ravel() for a in np.meshgrid(np.arange(STORE_COUNT), top, np.arange(DAYS - 28, DAYS))
    )
    expected = lines_per_store[store] / DAYS * catalog.popularity[sku] * 1.35
    ids = pa.array(store_ids())
    dates = pa.array([FIRST_DAY + timedelta(days=int(d)) for d in range(DAYS)], type=pa.date32())
    forecasts = rows_of(
        FORECASTS,
        len(store),
        store_id=ids.take(pa.array(store)),
        sku=catalog.sku.take(pa.array(sku)),
        date=dates.take(pa.array(day)),
        forecast=expected * rng.lognormal(0, 0.25, len(store)),
        origin=FIRST_DAY + timedelta(days=DAYS - 29),
        model="aiwebpos-forecast",
        model_version="7",
    )
    n = 1_500
    store = rng.integers(0, STORE_COUNT, n)
    at = np.sort(moments(rng, rng.integers(0, DAYS, n), HOUR_WEIGHTS))
    kinds = np.array(["sale", "return", "drawer", "cancel", "shift"])[rng.integers(0, 5, n)]
    reasons = np.array(
        [
            "many voids this shift",
            "refund without the original tender",
            "drawer opened often",
            "price override",
            "sale after hours",
        ]
    )
    alerts = rows_of(
        FRAUD_ALERTS,
        n,
        kind=pa.array(kinds),
        ref=texts("ref-", np.arange(n)),
        store_id=ids.take(pa.array(store)),
        shift_id=texts("shift-", rng.integers(0, 10_000, n)),
        cashier=pa.array([f"{FIRST_NAMES[(s * 5 + 7) % len(FIRST_NAMES)]}.r" for s in store]),
        occurred_at=instants(at),
        score=rng.uniform(0.5, 1.0, n),
        reasons=pc.binary_join_element_wise(
            pa.array(reasons[rng.integers(0, 5, n)]), pa.array(reasons[rng.integers(0, 5, n)]), "; "
        ),
        model="aiwebpos-fraud",
        model_version="4",
        status=pa.array(np.where(rng.random(n) < 0.85, "open", "dismissed")),
    )
    return {"forecasts": forecasts, "fraud_alerts": alerts}


def build_lake(sale_lines: int, on_store: Any = None) -> Path:
    """The chain's year in a lakehouse (cached: built once per LAKE_VERSION and size)."""
    folder = lake_dir(sale_lines)
    done = folder / "complete.json"
    if done.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    catalog = build_catalog(rng)
    size = rng.lognormal(0, 0.35, STORE_COUNT)
    size[-1] /= 2  # opened mid-year
    per_store = rng.multinomial(sale_lines, size / size.sum())
    specs = {
        spec.name: spec
        for spec in (
            SALES,
            SALE_LINES,
            PAYMENTS,
            RECEIPT_VAT,
            RETURNS,
            RETURN_LINES,
            DRAWER_OPENINGS,
            CANCELLED_SALES,
            PRODUCTS,
            STORES,
            FORECASTS,
            FRAUD_ALERTS,
        )
    }

    def write(tables: dict[str, pa.Table], mode: Literal["append", "overwrite"] = "append") -> None:
        for name, table in tables.items():
            spec = specs[name]
            write_deltalake(
                str(spec.path(folder)), table, mode=mode, partition_by=list(spec.partition_by) or None
            )

    write(reference_tables(catalog, rng), mode="overwrite")
    for index in range(STORE_COUNT):
        store = Store.number(index)
        store_rng = np.random.default_rng([SEED, index])
        write(
            sales_and_lines(store, int(per_store[index]), catalog, store_rng)
            | no_sales_and_cancels(store, store_rng)
        )
        if on_store is not None:
            on_store()
    write(model_outputs(catalog, per_store, rng), mode="overwrite")
    done.write_text(
        json.dumps(
            {"version": LAKE_VERSION, "sale_lines": sale_lines, "seconds": time.perf_counter() - started}
        )
    )
    return folder
