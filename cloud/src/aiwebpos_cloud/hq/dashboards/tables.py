"""The dashboards' rollup tables: daily aggregates of the derived tables, one Delta table each beside them
in the lakehouse (`hq_<name>`), partitioned by month; and `hq_rollup_state`, the last day they hold.

Why rollups: a derived table holds one Parquet file per store and UTC day (a year of 36 stores is
~13,000 files per table), and DuckDB spends ~0.2 ms a file just opening it, so any dashboard over a
year of raw rows takes seconds however few columns it reads. A day of a store sums to a few hundred
rows at most, a month of the chain to one file.

They are a cache, never a source: `rollups.refresh_rollups` recomputes them from the derived tables,
and a dashboard computes what they do not hold yet (see queries.py). A rollup whose columns change in
a later version is dropped and rebuilt whole by the next refresh (`rollups.drop_other_layouts`).
"""

import pyarrow as pa  # type: ignore[import-untyped]

from aiwebpos_cloud.lakehouse.tables import QUANTITY, RATE, TIMESTAMP, TableSpec

CENTS = COUNT = pa.int64()


def _rollup(name: str, *fields: tuple[str, pa.DataType], key: tuple[str, ...], description: str) -> TableSpec:
    columns = [("month", pa.date32()), ("store_id", pa.string()), ("day", pa.date32()), *fields]
    return TableSpec(
        f"hq_{name}",
        pa.schema([pa.field(column, kind) for column, kind in columns]),
        key=("store_id", "day", *key),
        partition_by=("month",),
        description=description,
    )


HOURLY = _rollup(
    "hourly",
    ("hour", pa.int32()),
    ("category", pa.string()),
    ("receipts", COUNT),
    ("lines", COUNT),
    ("units_sold", QUANTITY),
    ("sales_cents", CENTS),
    ("returns", COUNT),
    ("units_returned", QUANTITY),
    ("refund_cents", CENTS),
    key=("hour", "category"),
    description="per store, local day, hour and category (NULL: all categories) what was sold and returned",
)
SKU_DAYS = _rollup(
    "sku_days",
    ("sku", pa.string()),
    ("lines", COUNT),
    ("units_sold", QUANTITY),
    ("sales_cents", CENTS),
    ("units_returned", QUANTITY),
    ("refund_cents", CENTS),
    key=("sku",),
    description="per store, local day and SKU what was sold and returned",
)
BASKETS = _rollup(
    "baskets",
    ("receipts", COUNT),
    ("lines", COUNT),
    ("units", QUANTITY),
    ("sales_cents", CENTS),
    ("median_basket_cents", CENTS),
    key=(),
    description="per store and local day: receipts, their lines, units and value, the median receipt",
)
TENDERS = _rollup(
    "tenders",
    ("tender", pa.string()),
    ("payments", COUNT),
    ("tendered_cents", CENTS),
    ("change_cents", CENTS),
    ("refunds", COUNT),
    ("refund_cents", CENTS),
    key=("tender",),
    description="per store, local day and tender (cash_lsl, cash_zar, card, …): tendered, change, refunded",
)
VAT = _rollup(
    "vat",
    ("vat_class", pa.string()),
    ("rate", RATE),
    ("document", pa.string()),
    ("documents", COUNT),
    ("gross_cents", CENTS),
    ("net_cents", CENTS),
    ("vat_cents", CENTS),
    key=("vat_class", "rate", "document"),
    description="per store, local day, VAT class, rate and document kind: the receipts' VAT breakdown",
)
CASHIERS = _rollup(
    "cashiers",
    ("cashier", pa.string()),
    ("receipts", COUNT),
    ("sales_cents", CENTS),
    ("voided_lines", COUNT),
    ("voided_cents", CENTS),
    ("discounted_receipts", COUNT),
    ("discount_cents", CENTS),
    ("refunds", COUNT),
    ("refund_cents", CENTS),
    ("no_sales", COUNT),
    ("cancelled_sales", COUNT),
    ("cancelled_cents", CENTS),
    key=("cashier",),
    description="per store, local day and cashier: sales, voided lines, discounts, refunds, no-sales, cancels",
)
ROLLUPS: tuple[TableSpec, ...] = (HOURLY, SKU_DAYS, BASKETS, TENDERS, VAT, CASHIERS)

ROLLUP_STATE = TableSpec(
    "hq_rollup_state",
    pa.schema(
        [
            pa.field("through", pa.date32()),
            pa.field("built_at", TIMESTAMP),
            pa.field("versions", pa.string()),
            pa.field("catalog", pa.string()),
        ]
    ),
    key=(),
    description="one row: the rollups hold every local day up to `through`, computed from the derived "
    "tables at `versions` (JSON: table → Delta version) and the catalog's categories (`catalog`, a hash)",
)


def short_name(spec: TableSpec) -> str:
    """`hq_hourly` → `hourly`: the name of its daily SELECT in queries.DAILY."""
    return spec.name.removeprefix("hq_")
