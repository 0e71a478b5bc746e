"""The flows' one way to read the lakehouse (DuckDB over the Delta tables, as `aiwebpos-cloud sql`) and
to write what the models produce (forecasts, fraud alerts, price recommendations, reorder suggestions)."""

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
from deltalake import write_deltalake

from aiwebpos_cloud.lakehouse.outputs import OUTPUT_BY_NAME
from aiwebpos_cloud.lakehouse.query import connect


class NoData(RuntimeError):
    """The lakehouse holds too little for this flow (say what to do: generate history, wait for stores)."""


def frames(lakehouse: Path, queries: dict[str, str], params: Sequence[Any] = ()) -> dict[str, pl.DataFrame]:
    """Each named SELECT run on one snapshot of the lakehouse, as Polars frames; `params` are bound to
    the queries that use them ($1, $2, …)."""
    if not (lakehouse / "events").is_dir():
        raise NoData(
            f"{lakehouse} is not a lakehouse yet (no events table): run the ingest, or "
            "`aiwebpos-pipelines generate --lakehouse DIR` for a history to train on"
        )
    connection = connect(lakehouse)
    try:
        return {
            name: _frame(connection.sql(sql, params=list(params) if "$" in sql else None).to_arrow_table())
            for name, sql in queries.items()
        }
    finally:
        connection.close()


def _frame(table: Any) -> pl.DataFrame:
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    return frame


def last_sales_date(lakehouse: Path) -> date | None:
    found = frames(lakehouse, {"d": "SELECT max(date) AS d FROM sales"})["d"].item()
    return found if isinstance(found, date) else None


def write_output(lakehouse: Path, name: str, rows: pl.DataFrame) -> Path:
    """Replace the model output table `name` (a Delta table beside the event tables) with `rows`.

    Outputs are recomputed whole by each run, so an overwrite is the honest write: a reader sees the
    previous run's rows or this run's, never a mix (one Delta commit)."""
    spec = OUTPUT_BY_NAME[name]
    path = spec.path(lakehouse)
    table = rows.select(spec.schema.names).to_arrow().cast(spec.schema)
    write_deltalake(str(path), table, mode="overwrite", schema_mode="overwrite")
    return path
