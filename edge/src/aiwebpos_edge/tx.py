"""The context a service works in: one SQLite transaction in the writer thread, its moment, its store.

A service receives a `Tx` and does all of one business operation through it, including the outbox
event and the audit entry, so that they commit together with the change or not at all.
"""

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from aiwebpos_contracts.events import AuditRecorded
from aiwebpos_edge.audit import store as audit_store
from aiwebpos_edge.clock import iso
from aiwebpos_edge.sync.outbox import append_event


@dataclass
class Actor:
    """Who is acting: the logged-in user, and the terminal and address they act from."""

    user_id: int
    username: str
    roles: tuple[str, ...]
    terminal_id: str | None = None
    client_ip: str | None = None


@dataclass
class Tx:
    conn: sqlite3.Connection
    now: datetime
    store_id: str
    timezone: ZoneInfo
    # Run in the event loop once the transaction has committed (e.g. wake a printer for a queued job).
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # Local fraud scoring: how long an event to be scored is held back from the cloud (None: no fraud
    # model is loaded, nothing is held), and what wakes the scorer once the transaction is on disk.
    score_hold_s: float | None = None
    wake_scorer: Callable[[], None] | None = None

    @cached_property  # one moment per transaction, written into many rows
    def at(self) -> str:
        return iso(self.now)

    @property
    def business_day(self) -> date:
        """The store's local date: VAT rates and reports follow the calendar of the store."""
        return self.now.astimezone(self.timezone).date()

    def emit(self, payload: msgspec.Struct, terminal_id: str | None = None) -> int:
        return append_event(
            self.conn, store_id=self.store_id, payload=payload, terminal_id=terminal_id, occurred_at=self.at
        )

    def audit(self, action: str, actor: str | None, terminal_id: str | None = None, **details: Any) -> None:
        """Append to the hash-chained audit log and send the entry to the cloud as `audit.recorded`."""
        details = json.loads(json.dumps(details, default=str))  # what is hashed is what is stored
        entry = audit_store.append(
            self.conn, at=self.at, action=action, actor=actor, terminal_id=terminal_id, details=details
        )
        self.emit(
            AuditRecorded(
                audit_id=entry.id,
                action=action,
                actor=actor,
                details=details,
                hash=entry.hash,
                prev_hash=entry.prev_hash,
            ),
            terminal_id,
        )
