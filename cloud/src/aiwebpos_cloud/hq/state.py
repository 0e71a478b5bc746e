"""The running HQ's parts, built once by the app factory and handed to route handlers as `hq`."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from aiwebpos_cloud.hq.settings import HqSettings


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Hq:
    settings: HqSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    secret: bytes
    now: Callable[[], datetime] = utc_now
    # Hands a command (topic, payload, command_id) to the broker's client; without a broker nothing
    # leaves HQ and the command stays queued.
    publish: Callable[[str, bytes, str], None] = lambda topic, payload, command_id: None

    @property
    def token_ttl(self) -> timedelta:
        return timedelta(minutes=self.settings.token_ttl_minutes)

    def at(self) -> str:
        return iso(self.now())


# What route handlers declare to receive HQ (Litestar injects it by the parameter name `hq`).
HqDep = NamedDependency[Hq]
