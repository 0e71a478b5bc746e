"""`aiwebpos-edge`: set up, run and check a store node."""

import sys
from pathlib import Path

import click

from aiwebpos_edge.errors import DomainError
from aiwebpos_edge.settings import SettingsError, load_settings

DATA_DIR = click.option(
    "--data-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    envvar="AIWEBPOS_DATA_DIR",
    help="The node's data directory (database, secret, settings file).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """AIWebPOS store node: the POS API and web till of one store."""


@main.command()
@DATA_DIR
@click.option("--store-id", required=True, help="This store's id, e.g. MSU-01.")
@click.option("--admin-password", required=True, help="Password of the first admin user (8+ characters).")
@click.option("--store-name", default="", help="The name printed on receipts.")
@click.option("--address", default="", help="The address printed on receipts.")
@click.option(
    "--vat-number", default="", help="The store's VAT registration number, printed on every receipt."
)
def init(
    data_dir: Path, store_id: str, admin_password: str, store_name: str, address: str, vat_number: str
) -> None:
    """Create the database, the admin user and the store record."""
    from aiwebpos_edge.bootstrap import init_node

    try:
        init_node(
            _settings(data_dir),
            store_id=store_id,
            admin_password=admin_password,
            store_name=store_name,
            address=address,
            vat_number=vat_number,
        )
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"store node {store_id} initialised in {data_dir}; log in as 'admin'")


@main.command()
@DATA_DIR
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (default 8000).")
def serve(data_dir: Path, host: str | None, port: int | None) -> None:
    """Serve the POS API and web till."""
    import uvicorn

    from aiwebpos_edge.app import create_app

    settings = _settings(data_dir, host=host, port=port)
    try:
        app = create_app(settings)
    except (FileNotFoundError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from exc
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        # The tills' device-event streams never end by themselves: on SIGTERM they are cut after this
        # long (the tills reconnect to the restarted node) instead of holding the stop until systemd kills.
        timeout_graceful_shutdown=3,
    )


@main.group()
def catalog() -> None:
    """The product catalog."""


@catalog.command("import")
@DATA_DIR
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_catalog(data_dir: Path, csv_file: Path) -> None:
    """Add or update products from a CSV file (sku,name,price_cents,vat_class,unit,category,barcodes,plu).

    Every row is checked first; if any is wrong, nothing is imported."""
    from aiwebpos_edge.catalog.bulk import import_catalog_file

    try:
        count = import_catalog_file(_settings(data_dir), csv_file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"imported {count} products from {csv_file}")


@main.group()
def audit() -> None:
    """The tamper-evident audit log."""


@audit.command()
@DATA_DIR
def verify(data_dir: Path) -> None:
    """Exit 0 if and only if the audit hash chain is intact."""
    from aiwebpos_edge.audit.verify import verify_data_dir

    report = verify_data_dir(_settings(data_dir))
    if report.ok:
        click.echo(f"audit log intact: {report.entries} entries")
        return
    for problem in report.problems:
        click.echo(f"TAMPERED: {problem}", err=True)
    sys.exit(1)


def _settings(data_dir: Path, **flags: object):  # type: ignore[no-untyped-def]
    try:
        return load_settings(data_dir, **flags)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":
    main()
