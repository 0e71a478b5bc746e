"""The Delta tables as DuckDB views: deltalake says which files make a table now, DuckDB reads them.

deltalake resolves each table's current snapshot (its log: which Parquet files are live, compactions and
vacuums included) and DuckDB's built-in Parquet reader scans exactly those files, with the partition
values (`store_id=…/date=…` in their paths) as columns. Filters on any column reach the scan: partitions
are pruned by path, row groups by their statistics. No DuckDB extension is used or loaded (its delta
extension would be downloaded), and DuckDB may read files under the lakehouse and nowhere else.

Why not `duckdb.register(name, delta_table.to_pyarrow_dataset())`: delta-rs writes MERGE output with
`string_view` columns, for which pyarrow (26) has no comparison kernels, so any pushed-down filter on a
string column fails; declaring the columns `string_view` instead makes DuckDB push no filter at all.
"""

from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from deltalake import DeltaTable

from aiwebpos_cloud.lakehouse.tables import TableSpec

_DUCKDB_TYPES = {pa.string(): "VARCHAR", pa.date32(): "DATE"}


def locked_connection(lakehouse: Path, tables: tuple[TableSpec, ...]) -> duckdb.DuckDBPyConnection:
    """In memory, UTC, no extension ever installed or loaded on demand, files only under `lakehouse`,
    configuration locked; `tables` exposed as views of the same names."""
    connection = duckdb.connect(
        ":memory:",
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET allowed_directories = ?", [[f"{lakehouse.resolve()}/"]])
    connection.execute("SET enable_external_access = false")
    for spec in tables:
        expose(connection, spec, lakehouse)
    connection.execute("SET lock_configuration = true")
    return connection


def expose(connection: duckdb.DuckDBPyConnection, spec: TableSpec, lakehouse: Path) -> None:
    path = spec.path(lakehouse)
    files = DeltaTable(str(path)).file_uris() if DeltaTable.is_deltatable(str(path)) else []
    if not files:  # not written yet: an empty table of the right shape
        connection.register(spec.name, pa.Table.from_batches([], schema=spec.schema))
        return
    connection.execute(f"SET VARIABLE {spec.name}_files = ?", [files])
    if spec.partition_by:
        types = ", ".join(
            f"'{name}': {_DUCKDB_TYPES[spec.schema.field(name).type]}" for name in spec.partition_by
        )
        options = f"hive_partitioning = true, hive_types = {{{types}}}"
    else:
        options = "hive_partitioning = false"
    columns = ", ".join(spec.schema.names)
    connection.execute(
        f"CREATE VIEW {spec.name} AS SELECT {columns} FROM read_parquet(getvariable('{spec.name}_files'), {options})"
    )
