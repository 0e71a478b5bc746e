"""What the page offers in its filters: the stores and the categories, read from the lakehouse."""

import duckdb
import msgspec

from aiwebpos_cloud.hq.dashboards.views import ensure_views

# A store that sells before HQ lists it in `stores` still has rows in the rollups or the live tail (both
# small to read): it is offered too, by its id alone.
STORES = """
    SELECT store_id, any_value(name) AS name FROM (
        SELECT store_id, name FROM stores
        UNION ALL SELECT DISTINCT store_id, NULL FROM hq_baskets
        UNION ALL SELECT DISTINCT store_id, NULL FROM scoped_sales
    )
    GROUP BY store_id ORDER BY store_id
"""
CATEGORIES = "SELECT DISTINCT category FROM products ORDER BY category"


class StoreChoice(msgspec.Struct, frozen=True):
    store_id: str
    name: str | None


def stores(connection: duckdb.DuckDBPyConnection) -> list[StoreChoice]:
    ensure_views(connection)  # a bare lakehouse connection has no rollups: they read as empty
    return [StoreChoice(store_id, name) for store_id, name in connection.execute(STORES).fetchall()]


def categories(connection: duckdb.DuckDBPyConnection) -> list[str]:
    return [category for (category,) in connection.execute(CATEGORIES).fetchall()]
