"""`aiwebpos-cloud sql`: JSON rows or a table, over every table and view, and never a write."""

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cloud_factories import Store
from cloud_support import CLOUD, derive, query

from aiwebpos_cloud.lakehouse.query import QueryRefused, connect, run_query
from aiwebpos_cloud.lakehouse.tables import ALL_TABLES
from aiwebpos_cloud.lakehouse.writer import LakehouseWriter


def _sql(lakehouse: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLOUD, "sql", "--lakehouse", str(lakehouse), *args], capture_output=True, text=True
    )


@pytest.fixture
def filled(lakehouse: Path) -> Path:
    LakehouseWriter(lakehouse).write(list(Store().day(sales=3)))
    derive(lakehouse)
    return lakehouse


def test_sql_json_answers_an_array_of_row_objects(filled: Path) -> None:
    answer = _sql(
        filled, "--json", "SELECT receipt_no, total_cents, occurred_at FROM sales ORDER BY seq LIMIT 2"
    )
    assert answer.returncode == 0, answer.stderr
    assert json.loads(answer.stdout) == [
        {"receipt_no": "MSU-01-T1-000001", "total_cents": 26699, "occurred_at": "2026-11-23T07:30:28Z"},
        {"receipt_no": "MSU-01-T1-000002", "total_cents": 26699, "occurred_at": "2026-11-23T07:30:35Z"},
    ]
    quantities = json.loads(
        _sql(filled, "--json", "SELECT DISTINCT quantity FROM sale_lines ORDER BY 1").stdout
    )
    assert quantities == [{"quantity": "0.750"}, {"quantity": "1.000"}, {"quantity": "2.000"}]


def test_sql_prints_a_table_for_people(filled: Path) -> None:
    answer = _sql(filled, "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type")
    assert answer.returncode == 0, answer.stderr
    assert "sale.completed" in answer.stdout
    assert "6 rows" in answer.stdout


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM sales",
        "COPY sales TO '/tmp/sales.csv'",
        "ATTACH '/tmp/other.duckdb' AS other",
        "CREATE TABLE copy AS SELECT * FROM sales",
        "SET enable_external_access = true",
        "INSTALL httpfs",
    ],
)
def test_anything_that_is_not_a_select_is_refused(filled: Path, statement: str) -> None:
    with pytest.raises(QueryRefused, match="read-only"):
        run_query(filled, statement)


def test_sql_refuses_a_write_with_a_clear_error(filled: Path) -> None:
    answer = _sql(filled, "INSERT INTO events SELECT * FROM events")
    assert answer.returncode == 1
    assert "the lakehouse is read-only here: INSERT statements are refused; use SELECT" in answer.stderr
    assert query(filled, "SELECT count(*) AS n FROM events") == [{"n": 10}]


def test_a_select_cannot_read_files_or_load_extensions(filled: Path) -> None:
    with pytest.raises(Exception, match="disabled by configuration"):
        run_query(filled, "SELECT * FROM read_csv('/etc/passwd')")
    connection = connect(filled)
    settings = dict(
        connection.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('autoinstall_known_extensions', 'autoload_known_extensions', 'enable_external_access', 'lock_configuration')"
        ).fetchall()
    )
    assert set(settings.values()) == {"false", "true"}
    assert settings["autoinstall_known_extensions"] == settings["autoload_known_extensions"] == "false"
    assert settings["enable_external_access"] == "false"
    assert settings["lock_configuration"] == "true"


def test_a_failing_or_multiple_statement_query_is_explained(filled: Path) -> None:
    with pytest.raises(QueryRefused, match="exactly one"):
        run_query(filled, "SELECT 1; SELECT 2")
    answer = _sql(filled, "SELECT nope FROM sales")
    assert answer.returncode == 1
    assert "the query failed" in answer.stderr and "nope" in answer.stderr


def test_every_table_and_view_is_queryable_even_before_anything_was_stored(lakehouse: Path) -> None:
    for name in [spec.name for spec in ALL_TABLES] + ["shifts", "seq_gaps"]:
        assert query(lakehouse, f"SELECT count(*) AS n FROM {name}") == [{"n": 0}], name


def test_filters_on_partitions_and_on_strings_reach_the_parquet_scan(lakehouse: Path) -> None:
    writer = LakehouseWriter(lakehouse)
    for store_id in ("MSU-01", "TY-02", "MHL-03"):
        writer.write([Store(store_id).sale() for _ in range(5)])
        writer.write([Store(store_id, start=datetime(2026, 11, 24, 8, tzinfo=UTC)).sale() for _ in range(5)])
    derive(lakehouse)  # one pass: one sale_lines file per partition
    sql = (
        "SELECT count(*) AS n FROM sale_lines WHERE store_id = 'TY-02' AND date = DATE '2026-11-24' "
        "AND sku = 'BREAD-W'"
    )
    assert query(lakehouse, sql) == [{"n": 5}]
    plan = str(run_query(lakehouse, "EXPLAIN " + sql).rows)
    assert "Scanning Files: 1/6" in plan
    assert "sku='BREAD-W'" in plan.replace(" ", "")


def test_sql_on_a_lakehouse_not_created_yet_answers_empty_tables(tmp_path: Path) -> None:
    answer = _sql(tmp_path / "nowhere", "--json", "SELECT count(*) AS n FROM events")
    assert answer.returncode == 0
    assert json.loads(answer.stdout) == [{"n": 0}]
    assert "no lakehouse at" in answer.stderr


def test_payloads_are_json_text_that_sql_can_open(filled: Path) -> None:
    rows = query(
        filled,
        "SELECT CAST(payload->>'$.receipt.total_cents' AS BIGINT) AS total FROM events "
        "WHERE type = 'sale.completed' ORDER BY seq LIMIT 1",
    )
    assert rows == [{"total": 26_699}]
