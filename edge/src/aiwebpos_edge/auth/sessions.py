"""Live sessions in memory, backed by the sessions table: a request checks its session without I/O.

A session ends on logout, on a change to its user, at its token's expiry, or after `idle` without a
request (a till left logged in is a till anyone can use). `last_seen` is written back at most once a
minute, so a restart keeps the idle clock roughly right without a write on every request.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from aiwebpos_edge.auth import store
from aiwebpos_edge.clock import parse_iso
from aiwebpos_edge.tx import Actor

PERSIST_EVERY = timedelta(seconds=60)


@dataclass
class LiveSession:
    actor: Actor
    last_seen: datetime
    persisted: datetime
    ended: bool


class SessionRegistry:
    def __init__(self, idle: timedelta) -> None:
        self.idle = idle
        self._live: dict[str, LiveSession] = {}

    def get(self, session_id: str) -> LiveSession | None:
        return self._live.get(session_id)

    def load(self, row: store.SessionRow) -> LiveSession:
        seen = parse_iso(row.last_seen_at)
        actor = Actor(row.user_id, row.username, row.roles, row.terminal_id, row.client_ip)
        live = LiveSession(actor, seen, seen, row.ended)
        self._live[row.id] = live
        return live

    def end(self, session_ids: list[str]) -> None:
        for session_id in session_ids:
            if live := self._live.get(session_id):
                live.ended = True

    def idle_for(self, live: LiveSession, now: datetime) -> timedelta:
        return now - live.last_seen
