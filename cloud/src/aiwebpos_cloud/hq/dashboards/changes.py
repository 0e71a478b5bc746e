"""Which days of the derived tables changed since the rollups were last built, read from the Delta logs.

The rollup state keeps the version of each derived table it was computed from; the files of that
version and of the current one differ exactly where rows were added (a late store, a redelivery) or
rewritten (compaction, a rebuild). No clock is involved, so writers on other machines cannot fool it.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from deltalake import DeltaTable
from deltalake.exceptions import DeltaError

from aiwebpos_cloud.hq.dashboards.views import partition_date
from aiwebpos_cloud.lakehouse.tables import TableSpec


@dataclass(frozen=True)
class SourceFiles:
    """A derived table as the refresh reads it: its version (None: not created yet) and live files."""

    version: int | None
    uris: list[str]

    def dates(self) -> set[date]:
        return {found for uri in self.uris if (found := partition_date(uri)) is not None}


def source_files(spec: TableSpec, lakehouse: Path) -> SourceFiles:
    path = str(spec.path(lakehouse))
    if not DeltaTable.is_deltatable(path):
        return SourceFiles(None, [])
    table = DeltaTable(path)
    return SourceFiles(table.version(), table.file_uris())


def changed_dates(spec: TableSpec, lakehouse: Path, now: SourceFiles, since: int | None) -> set[date]:
    """The UTC partition dates whose files differ between version `since` of the table and `now`."""
    if now.version is None or since == now.version:
        return set()
    before: set[str] = set()
    if since is not None:
        try:
            before = set(DeltaTable(str(spec.path(lakehouse)), version=since).file_uris())
        except DeltaError:  # that version's log is gone (or the table was recreated): all of it is new
            before = set()
    changed = set(now.uris).symmetric_difference(before)
    return {found for uri in changed if (found := partition_date(uri)) is not None}
