"""Insert and update one row from keyword values. Table and column names come from our code only,
never from a request; values are always bound parameters."""

import sqlite3
from collections.abc import Mapping


def insert_row(conn: sqlite3.Connection, table: str, values: Mapping[str, object]) -> int:
    names = ", ".join(values)
    marks = ", ".join("?" * len(values))
    cur = conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values()))
    return int(cur.lastrowid or 0)


def update_row(
    conn: sqlite3.Connection, table: str, key: tuple[str, object], values: Mapping[str, object]
) -> int:
    """Set `values` on the row whose `key[0]` column equals `key[1]`; returns the rows changed."""
    if not values:
        return 0
    assignments = ", ".join(f"{name} = ?" for name in values)
    cur = conn.execute(f"UPDATE {table} SET {assignments} WHERE {key[0]} = ?", (*values.values(), key[1]))
    return cur.rowcount
