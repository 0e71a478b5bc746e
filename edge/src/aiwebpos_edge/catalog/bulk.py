"""The `catalog import` command: check, then write with a progress bar, then audit."""

import hashlib
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from aiwebpos_contracts.catalog_file import read_rows
from aiwebpos_edge.bootstrap import store_id_of
from aiwebpos_edge.catalog.importer import check_rows, conflicts_with_catalog, write_rows
from aiwebpos_edge.clock import SystemClock
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.tx import Tx


def import_catalog_file(settings: NodeSettings, path: Path) -> int:
    """Import a catalog CSV; ValueError (and nothing written) when any row is wrong."""
    store_id = store_id_of(settings)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    with Progress(*columns, transient=True) as progress:
        checking = progress.add_task("checking rows", total=None)
        report = check_rows(read_rows(path))
        progress.update(checking, total=len(report.rows), completed=len(report.rows))
        if report.errors:
            raise ValueError("nothing imported; fix these rows first:\n" + "\n".join(report.errors))
        conn = connect(settings.db_path)
        try:
            conflicts = conflicts_with_catalog(conn, report.rows)
            if conflicts:
                raise ValueError("nothing imported; these barcodes clash:\n" + "\n".join(conflicts[:50]))
            tx = Tx(conn, SystemClock().now(), store_id, ZoneInfo(settings.timezone))
            writing = progress.add_task("importing", total=len(report.rows))
            write_rows(conn, report.rows, tx.at, lambda n: progress.advance(writing, n))
            conn.execute("BEGIN IMMEDIATE")
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            tx.audit("catalog.imported", None, None, file=path.name, sha256=digest, products=len(report.rows))
            conn.execute("COMMIT")
        finally:
            conn.close()
    return len(report.rows)
