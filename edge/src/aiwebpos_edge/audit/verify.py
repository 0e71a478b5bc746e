"""Checking a node's audit log from the command line, without the server running."""

from aiwebpos_edge.audit import store
from aiwebpos_edge.audit.chain import ChainReport, verify_chain
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.settings import NodeSettings


def verify_data_dir(settings: NodeSettings) -> ChainReport:
    if not settings.db_path.exists():
        return ChainReport(ok=False, entries=0, problems=[f"no store database in {settings.data_dir}"])
    conn = connect(settings.db_path, readonly=True)
    try:
        return verify_chain(store.iter_entries(conn), store.head(conn))
    finally:
        conn.close()
