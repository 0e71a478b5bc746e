"""`aiwebpos-cloud`: the cloud side of AIWebPOS — the MQTT ingest and the lakehouse."""

import logging
import signal
import sys
from pathlib import Path
from types import FrameType

import click

from aiwebpos_cloud.hq.cli import hq as hq_commands

LAKEHOUSE = click.option(
    "--lakehouse",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    envvar="AIWEBPOS_LAKEHOUSE",
    help="The lakehouse directory (one Delta table per sub-directory). Env: AIWEBPOS_LAKEHOUSE.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """AIWebPOS cloud: ingest store events from MQTT into the Delta lakehouse, and query it."""


@main.command()
@LAKEHOUSE
@click.option("--mqtt-url", default=None, help="The broker, e.g. mqtts://aiwebpos-ingest:SECRET@broker:8883.")
@click.option(
    "--mqtt-ca-file", default=None, help="CA certificate(s) to trust for mqtts:// (default: the system's)."
)
@click.option("--client-id", default=None, help="This process's MQTT client id: stable, unique per process.")
@click.option(
    "--batch-size", default=None, type=click.IntRange(min=1), help="Messages per commit (default 5000)."
)
@click.option(
    "--batch-seconds",
    default=None,
    type=click.FloatRange(min=0, min_open=True),
    help="Longest wait to fill a batch (default 1.0).",
)
@click.option(
    "--derive/--no-derive",
    default=None,
    help="Keep the derived tables up in a thread of this process (default), or leave them to a separate "
    "`aiwebpos-cloud lakehouse derive --follow`.",
)
@click.option(
    "--config", default=None, type=click.Path(dir_okay=False, path_type=Path), help="A TOML settings file."
)
@click.option("--log-level", default=None, type=click.Choice(["debug", "info", "warning", "error"]))
def ingest(
    lakehouse: Path,
    mqtt_url: str | None,
    mqtt_ca_file: str | None,
    client_id: str | None,
    batch_size: int | None,
    batch_seconds: float | None,
    derive: bool | None,
    config: Path | None,
    log_level: str | None,
) -> None:
    """Store every store event from the broker in the lakehouse, exactly once, until stopped.

    Settings come from these flags, then AIWEBPOS_* variables (AIWEBPOS_MQTT_URL, AIWEBPOS_CLIENT_ID, …),
    then the TOML file (--config, AIWEBPOS_CONFIG, or cloud.toml in the lakehouse). Each batch is one
    commit to `events`; a deriver thread keeps the derived tables up (one process at a time derives; the
    others stand by). Ctrl-C or SIGTERM stores and acknowledges what was received, derives it, then
    disconnects; a second one stops at once (nothing unacknowledged is lost: the broker keeps it for this
    client id; nothing underived either: the next deriver derives it).
    """
    from aiwebpos_cloud.ingest.service import Ingest
    from aiwebpos_cloud.settings import SettingsError, load_settings

    try:
        settings = load_settings(
            lakehouse,
            config,
            mqtt_url=mqtt_url,
            mqtt_ca_file=mqtt_ca_file,
            client_id=client_id,
            batch_size=batch_size,
            batch_seconds=batch_seconds,
            derive=derive,
            log_level=log_level,
        )
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    _configure_logging(settings.log_level)
    service = Ingest(settings)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if service.stopping.is_set():
            raise SystemExit(128 + signum)
        logging.getLogger(__name__).info(
            "stopping (%s): storing what was received", signal.Signals(signum).name
        )
        service.stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    service.run()


@main.command()
@LAKEHOUSE
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of row objects instead of a table.")
@click.option(
    "--max-rows", default=1000, show_default=True, help="Rows shown in a table (--json prints all)."
)
@click.argument("query")
def sql(lakehouse: Path, as_json: bool, max_rows: int, query: str) -> None:
    """Run one read-only SQL query (DuckDB) over the lakehouse.

    Tables: events, sales, sale_lines, payments, receipt_vat, returns, return_lines, shift_events,
    stock_movements, timeclock, dead_letters. Views: shifts, seq_gaps. Anything but SELECT is refused.
    """
    import duckdb

    from aiwebpos_cloud.lakehouse.query import QueryRefused, run_query
    from aiwebpos_cloud.output import print_json, print_table

    if not lakehouse.is_dir():
        click.echo(
            f"note: no lakehouse at {lakehouse} yet (the ingest creates it); every table is empty", err=True
        )
    try:
        result = run_query(lakehouse, query)
    except QueryRefused as exc:
        raise click.ClickException(str(exc)) from exc
    except duckdb.Error as exc:
        raise click.ClickException(f"the query failed: {exc}") from exc
    if as_json:
        print_json(result)
    else:
        print_table(result, max_rows)


@main.group()
def lakehouse() -> None:
    """Maintain the lakehouse: compaction, rebuilding derived tables, listing tables."""


@lakehouse.command()
@LAKEHOUSE
@click.option(
    "--retention-hours",
    default=7 * 24,
    show_default=True,
    type=click.IntRange(min=24),
    help="Vacuum only files unreferenced for longer than this (at least a day: readers may still use them).",
)
def compact(lakehouse: Path, retention_hours: int) -> None:
    """Compact small files of every table, write a checkpoint, and vacuum old files (safe beside the ingest)."""
    from aiwebpos_cloud.maintenance_cli import run_compaction

    run_compaction(lakehouse, retention_hours)


@lakehouse.command()
@LAKEHOUSE
def rebuild(lakehouse: Path) -> None:
    """Recompute every derived table (sales, sale_lines, payments, …) from the events table."""
    from aiwebpos_cloud.maintenance_cli import run_rebuild

    run_rebuild(lakehouse)


@lakehouse.command()
@LAKEHOUSE
@click.option("--follow", is_flag=True, help="Keep deriving what is new until Ctrl-C or SIGTERM.")
@click.option(
    "--every",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="With --follow: seconds between looks at `events`.",
)
@click.option("--log-level", default="info", type=click.Choice(["debug", "info", "warning", "error"]))
def derive(lakehouse: Path, follow: bool, every: float, log_level: str) -> None:
    """Bring the derived tables up to `events` (what an ingest with --no-derive leaves to do).

    Without --follow: derives every events version not derived yet, then exits (waiting first if another
    process is deriving). With --follow: keeps doing so, standing by while another process derives.
    """
    from aiwebpos_cloud.maintenance_cli import run_derive

    _configure_logging(log_level)
    run_derive(lakehouse, follow, every)


@lakehouse.command()
@LAKEHOUSE
@click.option("--json", "as_json", is_flag=True, help="Print JSON (tables, views and the deriver's lag).")
def tables(lakehouse: Path, as_json: bool) -> None:
    """List the tables and views, what each holds, their size, and how far the derived tables lag."""
    from aiwebpos_cloud.maintenance_cli import show_tables

    show_tables(lakehouse, as_json)


@main.group()
def releases() -> None:
    """Model releases: the signing key, and the HTTP server the stores download artifacts from."""


@releases.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for release-signing.key (0600) and release-signing.pub; an existing key is never replaced.",
)
def keygen(out: Path) -> None:
    """Make the Ed25519 release signing key; prints the public key every store's settings take."""
    from aiwebpos_cloud.releases.signing import generate_key_pair, key_id

    try:
        private_path, public = generate_key_pair(out)
    except FileExistsError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"private key: {private_path} (keep it secret: it signs what every store runs)")
    click.echo(f"public key:  {public}")
    click.echo(f"key id:      {key_id(public)}")


@releases.command("serve")
@click.option(
    "--dir",
    "directory",
    required=True,
    envvar="AIWEBPOS_RELEASES_DIR",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The releases folder the release flow writes (its artifacts/ is served). Env: AIWEBPOS_RELEASES_DIR.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8200, show_default=True, type=click.IntRange(0, 65535), help="Port.")
def serve_releases(directory: Path, host: str, port: int) -> None:
    """Serve the release artifacts over HTTP until Ctrl-C (stores check sha256 and signature themselves)."""
    from aiwebpos_cloud.releases.server import make_server

    _configure_logging("info")
    server = make_server(directory, host, port)
    bound_host, bound_port = server.server_address[:2]
    click.echo(f"serving {directory / 'artifacts'} at http://{bound_host!s}:{bound_port}/artifacts/")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


main.add_command(hq_commands)


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


if __name__ == "__main__":
    main()
