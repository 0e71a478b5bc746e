"""Times and ids of the generated events: Africa/Maseru local days, UTC instants in milliseconds, the
envelope's ISO text, and UUIDv7 ids drawn from the store's seeded generator (the same seed gives the
same ids)."""

from datetime import UTC, date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

MASERU = ZoneInfo("Africa/Maseru")
SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def midnight_ms(day: date) -> int:
    """The UTC instant (ms since the epoch) of local midnight at the start of `day` in Maseru."""
    return int(datetime.combine(day, time(0), MASERU).timestamp()) * SECOND


def clock_ms(moment: time) -> int:
    """Milliseconds after local midnight of a time of day."""
    return (moment.hour * 60 + moment.minute) * MINUTE + moment.second * SECOND


_day_prefix: dict[int, str] = {}


@lru_cache(maxsize=1 << 16)  # a sale's time is formatted for its receipt and again for its envelope
def iso(ms: int) -> str:
    """ "2026-11-23T10:15:00.123Z": the envelope's occurred_at (UTC, milliseconds)."""
    day, rest = divmod(ms, DAY)
    prefix = _day_prefix.get(day)
    if prefix is None:
        prefix = datetime.fromtimestamp(day * 86_400, UTC).strftime("%Y-%m-%dT")
        _day_prefix[day] = prefix
    hours, rest = divmod(rest, HOUR)
    minutes, rest = divmod(rest, MINUTE)
    seconds, millis = divmod(rest, SECOND)
    return f"{prefix}{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"


_MS_MASK = (1 << 48) - 1
_VERSION = 0x7 << 76
_VARIANT = 0b10 << 62
_RAND_B_MASK = (1 << 62) - 1


class Ids:
    """UUIDv7 text ids of given milliseconds, their random bits from a seeded generator."""

    _BLOCK = 8192

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._bits: list[int] = []

    def at(self, ms: int) -> str:
        if not self._bits:
            self._bits = self._rng.integers(0, 1 << 63, self._BLOCK, dtype=np.int64).tolist()
        bits = self._bits.pop()
        value = (ms & _MS_MASK) << 80 | _VERSION | (bits >> 51) << 64 | _VARIANT | (bits & _RAND_B_MASK)
        text = f"{value:032x}"  # what str(uuid7_from(ms, bits >> 51, bits)) is, without the UUID object
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
