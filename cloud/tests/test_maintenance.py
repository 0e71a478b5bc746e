"""Compaction, checkpoints and vacuum, and rebuilding the derived tables from `events`."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cloud_factories import Store
from cloud_support import CLOUD, derive, query, scalar
from deltalake import DeltaTable, write_deltalake

from aiwebpos_cloud.lakehouse.maintenance import compact
from aiwebpos_cloud.lakehouse.rebuild import rebuild_all
from aiwebpos_cloud.lakehouse.tables import EVENTS, SALE_LINES, SALES
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter


@pytest.fixture
def many_small_files(lakehouse: Path) -> Path:
    """Twelve small batches of two stores: a dozen files in each partition, like an ingest's day."""
    writer = LakehouseWriter(lakehouse)
    stores = [Store("MSU-01"), Store("TY-02")]
    for _ in range(12):
        writer.write([store.sale() for store in stores for _ in range(10)])
        derive(lakehouse)  # after each batch, as a deriver that keeps up does
    return lakehouse


def _files(lakehouse: Path, table: str) -> int:
    return len(DeltaTable(str(lakehouse / table)).file_uris())


def test_compaction_leaves_one_file_per_partition_the_same_rows_and_a_checkpoint(
    many_small_files: Path,
) -> None:
    before = query(many_small_files, "SELECT * FROM sale_lines ORDER BY event_id, line_id")
    assert _files(many_small_files, "events") == 24

    report = compact(EVENTS, many_small_files)

    assert (report.partitions_compacted, report.files_removed, report.files_added) == (2, 24, 2)
    assert _files(many_small_files, "events") == 2
    assert list((many_small_files / "events" / "_delta_log").glob("*.checkpoint.parquet"))
    compact(SALE_LINES, many_small_files)
    assert query(many_small_files, "SELECT * FROM sale_lines ORDER BY event_id, line_id") == before


def test_compaction_refuses_a_retention_that_could_delete_files_in_use(many_small_files: Path) -> None:
    with pytest.raises(ValueError, match="24 hours"):
        compact(EVENTS, many_small_files, retention_hours=1)


def test_lakehouse_compact_command_compacts_every_table_with_progress(many_small_files: Path) -> None:
    answer = subprocess.run(
        [CLOUD, "lakehouse", "compact", "--lakehouse", str(many_small_files)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert answer.returncode == 0, answer.stderr
    assert "sale_lines" in answer.stdout and "files vacuumed" in answer.stdout
    assert _files(many_small_files, "sale_lines") == 2
    assert scalar(many_small_files, "SELECT count(*) FROM sale_lines") == 3 * 240


def test_rebuild_recomputes_the_derived_tables_from_events(many_small_files: Path) -> None:
    expected = query(many_small_files, "SELECT * FROM payments ORDER BY event_id, payment_id")
    shutil.rmtree(many_small_files / "payments")  # lost, or written by an older version of derive.py

    reports = {report.table: report.rows for report in rebuild_all(many_small_files)}

    assert reports["payments"] == 2 * 240 and reports["sales"] == 240 and reports["returns"] == 0
    assert query(many_small_files, "SELECT * FROM payments ORDER BY event_id, payment_id") == expected
    assert scalar(many_small_files, "SELECT count(*) FROM sale_lines") == 3 * 240


def test_rebuild_gives_a_sales_table_of_an_older_schema_its_new_columns(tmp_path: Path) -> None:
    lakehouse = tmp_path / "lakehouse"
    store = Store()
    writer = LakehouseWriter(lakehouse)
    writer.write([store.sale(), store.cancelled_sale(), store.no_sale()])
    derive(lakehouse)
    # `sales` as an older derive.py wrote it, before voided_count and voided_cents, and no tables of
    # cancelled sales or no-sales yet
    older = (
        DeltaTable(str(SALES.path(lakehouse)))
        .to_pyarrow_table()
        .drop_columns(["voided_count", "voided_cents"])
    )
    write_deltalake(
        str(SALES.path(lakehouse)),
        older,
        mode="overwrite",
        schema_mode="overwrite",
        partition_by=["store_id", "date"],
    )
    shutil.rmtree(lakehouse / "cancelled_sales")
    shutil.rmtree(lakehouse / "drawer_openings")

    answer = subprocess.run(
        [CLOUD, "lakehouse", "rebuild", "--lakehouse", str(lakehouse)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )

    assert answer.returncode == 0, answer.stderr
    assert query(lakehouse, "SELECT voided_count, voided_cents FROM sales") == [
        {"voided_count": 0, "voided_cents": 0}
    ]
    assert scalar(lakehouse, "SELECT count(*) FROM cancelled_sales") == 1
    assert scalar(lakehouse, "SELECT count(*) FROM drawer_openings") == 1


def test_lakehouse_tables_lists_tables_and_views(many_small_files: Path) -> None:
    answer = subprocess.run(
        [CLOUD, "lakehouse", "tables", "--lakehouse", str(many_small_files)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert answer.returncode == 0, answer.stderr
    for name in ("events", "dead_letters", "sales", "seq_gaps", "shifts"):
        assert name in answer.stdout
