"""UUIDv7 (RFC 9562): time-ordered ids, so event ids sort by creation and index well."""

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def uuid7(now_ms: int | None = None) -> uuid.UUID:
    """A UUIDv7, monotonic within this process even for several ids in the same millisecond.

    The 12-bit `rand_a` field holds a counter seeded randomly each millisecond (RFC 9562 §6.2,
    method 1), so ids made in one millisecond still sort in creation order.
    """
    global _last_ms, _counter
    if now_ms is not None:  # an explicit time (tests, back-filled history) leaves the clock state alone
        return _build(now_ms, int.from_bytes(os.urandom(2), "big") & 0xFFF)
    with _lock:
        ms = int(time.time() * 1000)
        if ms > _last_ms:
            _last_ms = ms
            _counter = int.from_bytes(os.urandom(2), "big") & 0x7FF  # leave headroom to count up
        else:
            ms = _last_ms
            _counter += 1
            if _counter > 0xFFF:  # counter exhausted: borrow the next millisecond
                _last_ms += 1
                ms = _last_ms
                _counter = 0
        counter = _counter
    return _build(ms, counter)


def _build(ms: int, counter: int) -> uuid.UUID:
    return uuid7_from(ms, counter, int.from_bytes(os.urandom(8), "big"))


def uuid7_from(ms: int, rand_a: int, rand_b: int) -> uuid.UUID:
    """The UUIDv7 of millisecond `ms` with the given `rand_a` (12 bits) and `rand_b` (62 bits; higher bits
    are dropped): ids that must come out the same on every run, such as a seeded history's."""
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | (rand_a & 0xFFF) << 64 | 0b10 << 62
    return uuid.UUID(int=value | (rand_b & ((1 << 62) - 1)))
