"""The hash chain of the audit log (pure): each entry's hash covers its content and the previous hash."""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    action: str
    actor: str | None
    terminal_id: str | None
    details: dict[str, Any]
    prev_hash: str
    hash: str


def entry_hash(
    *,
    id: int,
    at: str,
    action: str,
    actor: str | None,
    terminal_id: str | None,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    canonical = json.dumps(
        [id, at, action, actor, terminal_id, details, prev_hash],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    problems: list[str]


def verify_chain(entries: Iterable[AuditEntry], head: tuple[int, str] | None) -> ChainReport:
    """Check ids are consecutive from 1, every hash is right, every link points at its predecessor,
    and the chain ends where the head says (so removing the newest entries is noticed too)."""
    problems: list[str] = []
    prev_hash, expected_id, count = GENESIS, 1, 0
    for entry in entries:
        count += 1
        if entry.id != expected_id:
            problems.append(f"entries {expected_id}..{entry.id - 1} are missing (deleted)")
        if entry.prev_hash != prev_hash:
            problems.append(f"entry {entry.id} does not link to the entry before it")
        recomputed = entry_hash(
            id=entry.id,
            at=entry.at,
            action=entry.action,
            actor=entry.actor,
            terminal_id=entry.terminal_id,
            details=entry.details,
            prev_hash=entry.prev_hash,
        )
        if recomputed != entry.hash:
            problems.append(f"entry {entry.id} ({entry.action}) was altered: its hash does not match")
        prev_hash, expected_id = entry.hash, entry.id + 1
    if head is None:
        if count:
            problems.append("the audit head is missing")
    elif head != (expected_id - 1, prev_hash):
        problems.append(f"the log ends at entry {expected_id - 1} but the head records entry {head[0]}")
    return ChainReport(ok=not problems, entries=count, problems=problems)
