"""Creating a node's data directory: database, secret, store record, VAT rates and the first admin."""

from pathlib import Path
from zoneinfo import ZoneInfo

from aiwebpos_edge.auth.secrets import load_or_create_secret
from aiwebpos_edge.auth.service import NewUser, create_user
from aiwebpos_edge.clock import Clock, SystemClock
from aiwebpos_edge.db.database import connect
from aiwebpos_edge.db.migrate import migrate
from aiwebpos_edge.errors import Conflict
from aiwebpos_edge.settings import NodeSettings
from aiwebpos_edge.tx import Tx
from aiwebpos_edge.vat import DEFAULT_VAT_RATES


def init_node(
    settings: NodeSettings,
    *,
    store_id: str,
    admin_password: str,
    store_name: str = "",
    address: str = "",
    vat_number: str = "",
    clock: Clock | None = None,
) -> None:
    data_dir = Path(settings.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = load_or_create_secret(settings.secret_path)
    conn = connect(settings.db_path)
    try:
        migrate(conn)
        if conn.execute("SELECT store_id FROM store").fetchone() is not None:
            raise Conflict(f"{data_dir} already holds a store node: use another --data-dir")
        tx = Tx(conn, (clock or SystemClock()).now(), store_id, ZoneInfo(settings.timezone))
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "INSERT INTO store (store_id, name, address, vat_number, created_at) VALUES (?, ?, ?, ?, ?)",
                (store_id, store_name or store_id, address, vat_number, tx.at),
            )
            conn.executemany(
                "INSERT INTO vat_rates (vat_class, rate_bp, effective_from) VALUES (?, ?, ?)",
                [(r.vat_class, r.rate_bp, r.effective_from.isoformat()) for r in DEFAULT_VAT_RATES],
            )
            create_user(tx, secret, None, NewUser(username="admin", password=admin_password, roles=["admin"]))
            tx.audit("store.initialised", "admin", None, store_id=store_id)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()


def store_id_of(settings: NodeSettings) -> str:
    """The store this data directory belongs to; a clear error when it was never initialised."""
    if not settings.db_path.exists():
        raise FileNotFoundError(f"{settings.data_dir} is not a store node: run `aiwebpos-edge init` first")
    conn = connect(settings.db_path)
    try:
        migrate(conn)  # a newer version of the node brings its migrations with it
        row = conn.execute("SELECT store_id FROM store").fetchone()
    finally:
        conn.close()
    if row is None:
        raise FileNotFoundError(f"{settings.data_dir} is not a store node: run `aiwebpos-edge init` first")
    return str(row[0])
