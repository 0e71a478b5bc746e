"""`aiwebpos-cloud hq init|serve` (CONTRACTS.md §1): HQ's database and first admin, then the web app."""

import asyncio
from pathlib import Path
from typing import Any

import click

from aiwebpos_cloud.hq.auth.passwords import TOO_SHORT, long_enough
from aiwebpos_cloud.hq.settings import HqSettingsError, load_hq_settings

# The web app's modules (Litestar, SQLAlchemy, Alembic) are imported by the commands that use them:
# `aiwebpos-cloud ingest` and the other commands of the CLI should not pay seconds for them at start.

DATA_DIR = click.option(
    "--data-dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="HQ's folder."
)
DATABASE = click.option(
    "--database-url",
    envvar="AIWEBPOS_HQ_DATABASE_URL",
    default=None,
    help="postgresql+asyncpg://user@host/db (default: SQLite in the data folder).",
)


@click.group()
def hq() -> None:
    """HQ: the web app head office uses every day."""


async def _init(data_dir: Path, database_url: str | None, admin_password: str) -> bool:
    from sqlalchemy import func, select

    from aiwebpos_cloud.hq.auth.routes import NewUser, add_user
    from aiwebpos_cloud.hq.db.engine import make_engine, migrate, sessions
    from aiwebpos_cloud.hq.db.models import User
    from aiwebpos_cloud.hq.state import Hq

    settings = load_hq_settings(data_dir, database_url=database_url)
    engine = make_engine(settings.url)
    try:
        await migrate(engine)
        state = Hq(settings, engine, sessions(engine), b"")
        async with state.sessions.begin() as session:
            if await session.scalar(select(func.count()).select_from(User)):
                return False
            await add_user(
                session, state, NewUser(username="admin", password=admin_password, roles=["admin"]), None
            )
        return True
    finally:
        await engine.dispose()


@hq.command()
@DATA_DIR
@DATABASE
@click.option("--admin-password", required=True, help="The first admin's password (at least 8 characters).")
def init(data_dir: Path, database_url: str | None, admin_password: str) -> None:
    """Create HQ's database (or bring it up to date) and its first admin."""
    if not long_enough(admin_password):
        raise click.BadParameter(TOO_SHORT, param_hint="--admin-password")
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        created = asyncio.run(_init(data_dir, database_url, admin_password))
    except HqSettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("HQ ready: log in as admin" if created else "HQ already has users: the database is up to date")


@hq.command()
@DATA_DIR
@DATABASE
@click.option(
    "--lakehouse", type=click.Path(file_okay=False, path_type=Path), default=None, help="The lakehouse."
)
@click.option("--mqtt-url", envvar="AIWEBPOS_MQTT_URL", default=None, help="The broker, as aiwebpos-hq.")
@click.option("--mqtt-ca-file", envvar="AIWEBPOS_MQTT_CA_FILE", default=None, help="CA of an mqtts broker.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
def serve(
    data_dir: Path,
    database_url: str | None,
    lakehouse: Path | None,
    mqtt_url: str | None,
    mqtt_ca_file: str | None,
    host: str,
    port: int,
) -> None:
    """Serve the HQ web app (http://HOST:PORT/hq/)."""
    import uvicorn

    from aiwebpos_cloud.hq.app import create_hq_app

    if not data_dir.is_dir():
        raise click.ClickException(f"{data_dir} is not an HQ folder: run `aiwebpos-cloud hq init` first")
    settings = load_hq_settings(
        data_dir,
        database_url=database_url,
        lakehouse=str(lakehouse) if lakehouse else None,
        mqtt_url=mqtt_url,
        mqtt_ca_file=mqtt_ca_file,
        host=host,
        port=port,
    )
    uvicorn.run(
        create_hq_app(settings), host=host, port=port, log_level="warning", timeout_graceful_shutdown=3
    )


@hq.command()
@click.option(
    "--lakehouse", required=True, type=click.Path(file_okay=False, path_type=Path), help="The lakehouse."
)
@click.option(
    "--through",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The last day to roll up (default: yesterday in Lesotho, the last complete day).",
)
@click.option("--full", is_flag=True, help="Recompute every month (after restoring a backup, say).")
def rollups(lakehouse: Path, through: Any, full: bool) -> None:
    """Bring the dashboards' daily rollups up to date (`hq serve` also does it every hour by default)."""
    from rich.progress import Progress

    from aiwebpos_cloud.hq.dashboards.rollups import refresh_rollups

    if not (lakehouse / "events").is_dir():
        raise click.ClickException(f"{lakehouse} is not a lakehouse yet (no events table)")
    with Progress(transient=True) as progress:
        task = progress.add_task("rolling up months", total=None)
        report = refresh_rollups(
            lakehouse,
            through.date() if through else None,
            full=full,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    months = ", ".join(m.strftime("%Y-%m") for m in report.months) or "none needed it"
    click.echo(
        f"rollups through {report.through}: {report.rows:,} rows, months {months} ({report.seconds:.1f} s)"
    )


async def _import(settings: Any, path: Path, progress: Any) -> Any:
    from aiwebpos_cloud.hq.catalog.importer import import_file
    from aiwebpos_cloud.hq.db.engine import make_engine, migrate, sessions
    from aiwebpos_cloud.hq.state import iso, utc_now

    engine = make_engine(settings.url)
    try:
        await migrate(engine)
        return await import_file(sessions(engine), path, iso(utc_now()), "import", progress)
    finally:
        await engine.dispose()


@hq.command("catalog-import")
@DATA_DIR
@DATABASE
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def catalog_import(data_dir: Path, database_url: str | None, file: Path) -> None:
    """Add or update products of the catalog master from FILE.csv, all or nothing (then push them from
    the Catalog page, or POST /api/v1/catalog/push)."""
    from rich.progress import Progress

    if not data_dir.is_dir():
        raise click.ClickException(f"{data_dir} is not an HQ folder: run `aiwebpos-cloud hq init` first")
    settings = load_hq_settings(data_dir, database_url=database_url)
    try:
        with Progress(transient=True) as progress:
            task = progress.add_task("saving products", total=None)
            checked = asyncio.run(
                _import(
                    settings, file, lambda done, total: progress.update(task, completed=done, total=total)
                )
            )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if checked.errors:
        raise click.ClickException("nothing imported:\n" + "\n".join(checked.errors))
    click.echo(f"{len(checked.products):,} products in the catalog master")
