"""`aiwebpos-pipelines`: generate a chain's history, run the flows that train models, serve their schedules."""

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from aiwebpos_pipelines.flows import FLOWS, load_flow
from aiwebpos_pipelines.history.command import generate

LAKEHOUSE = click.option(
    "--lakehouse",
    envvar="AIWEBPOS_LAKEHOUSE",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The lakehouse directory (or AIWEBPOS_LAKEHOUSE).",
)
MLFLOW_URI = click.option(
    "--mlflow-uri",
    envvar=["AIWEBPOS_MLFLOW_URI", "MLFLOW_TRACKING_URI"],
    default=None,
    help="MLflow tracking URI (or AIWEBPOS_MLFLOW_URI, MLFLOW_TRACKING_URI); default: a local store in "
    "the folder `mlflow` beside the lakehouse.",
)


def mlflow_uri_for(lakehouse: Path, given: str | None) -> str:
    from aiwebpos_pipelines.registry import local_store_uri

    return given or local_store_uri(lakehouse.resolve().parent / "mlflow")


def _require_lakehouse(lakehouse: Path) -> None:
    if not (lakehouse / "events").is_dir():
        raise click.ClickException(
            f"{lakehouse} is not a lakehouse (no events table): give the ingest's --lakehouse, or make one "
            "with `aiwebpos-pipelines generate --lakehouse DIR`"
        )


def _parse_values(pairs: tuple[str, ...]) -> dict[str, Any]:
    """`--set days=90 --set k=50`: each value read as JSON when it is JSON (numbers, true), else text."""
    values: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        try:
            values[name.replace("-", "_")] = json.loads(text)
        except json.JSONDecodeError:
            values[name.replace("-", "_")] = text
    return values


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """AIWebPOS pipelines: history generation and the Prefect flows of the models (see `--help` of each)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")  # this network reaches no one


main.add_command(generate)


@main.command("run")
@click.argument("flow_name", metavar="FLOW", type=click.Choice(sorted(FLOWS)))
@LAKEHOUSE
@MLFLOW_URI
@click.option("--set", "values", multiple=True, metavar="NAME=VALUE", help="A parameter of the flow.")
def run(flow_name: str, lakehouse: Path, mlflow_uri: str | None, values: tuple[str, ...]) -> None:
    """Run one flow now (against PREFECT_API_URL's server if set, else a temporary local one)."""
    from aiwebpos_pipelines.lake import NoData

    _require_lakehouse(lakehouse)  # now, before a Prefect server is started for nothing
    flow = load_flow(flow_name)
    parameters = _parse_values(values)
    try:
        result = flow(
            lakehouse=str(lakehouse), mlflow_uri=mlflow_uri_for(lakehouse, mlflow_uri), **parameters
        )
    except NoData as exc:
        raise click.ClickException(str(exc)) from exc
    except TypeError as exc:  # an unknown --set name
        raise click.ClickException(f"{flow_name}: {exc}") from exc
    click.echo(_summary(result))


def _summary(result: Any) -> str:
    if isinstance(result, dict):
        parts = []
        for key, value in result.items():
            describe = getattr(value, "describe", None)
            parts.append(f"{key}: {describe() if callable(describe) else value}")
        return "\n".join(parts)
    return str(result)


@main.command()
@LAKEHOUSE
@MLFLOW_URI
def serve(lakehouse: Path, mlflow_uri: str | None) -> None:
    """Serve the deployments (nightly training, weekly forecasting, triggers on a new store or forecast
    drift, the hourly watch) against PREFECT_API_URL's server until Ctrl-C."""
    from aiwebpos_pipelines.deployments import serve_deployments

    if not os.environ.get("PREFECT_API_URL"):
        sys.stderr.write("note: PREFECT_API_URL is not set; schedules need a Prefect server to run them\n")
    serve_deployments(str(lakehouse), mlflow_uri_for(lakehouse, mlflow_uri))


@main.command("flows")
def list_flows() -> None:
    """List the flows and when their deployments run."""
    from aiwebpos_pipelines.deployments import SCHEDULES

    for name in sorted(FLOWS):
        click.echo(f"{name:16} {SCHEDULES.get(name, 'on demand')}")


@main.group()
def prices() -> None:
    """Price recommendations: list them, approve or reject them (a person decides; nothing else does)."""


@prices.command("list")
@LAKEHOUSE
@click.option(
    "--status",
    type=click.Choice(["proposed", "approved", "rejected", "all"]),
    default="proposed",
    show_default=True,
    help="Which recommendations to show.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of row objects.")
def list_prices(lakehouse: Path, status: str, as_json: bool) -> None:
    """The current recommendations with their status."""
    import polars as pl
    from rich.console import Console
    from rich.table import Table

    from aiwebpos_pipelines.prices import recommendations

    _require_lakehouse(lakehouse)
    rows = recommendations(lakehouse)
    if status != "all":
        rows = rows.filter(pl.col("status") == status)
    if as_json:
        click.echo(rows.write_json())
        return
    table = Table("id", "store", "sku", "product", "kind", "now", "proposed", "change", "status", "why")
    for row in rows.iter_rows(named=True):
        table.add_row(
            row["recommendation_id"],
            row["store_id"] or "all",
            row["sku"],
            row["name"] or "",
            row["kind"],
            f"M {row['current_price_cents'] / 100:,.2f}",
            f"M {row['recommended_price_cents'] / 100:,.2f}",
            f"{row['change_pct']:+.1%}",
            row["status"],
            row["reason"],
        )
    Console().print(table)


def _decide(lakehouse: Path, ids: tuple[str, ...], decision: str, by: str, note: str | None) -> None:
    from aiwebpos_pipelines.prices import UnknownRecommendation, decide

    _require_lakehouse(lakehouse)
    try:
        decided = decide(lakehouse, ids, decision, by, note)  # type: ignore[arg-type]
    except UnknownRecommendation as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{decision} by {by}: {decided.height} recommendation(s)")


@prices.command()
@LAKEHOUSE
@click.option("--by", required=True, help="The manager deciding (recorded with the decision).")
@click.option("--note", default=None, help="Why, for the record.")
@click.argument("ids", nargs=-1, required=True)
def approve(lakehouse: Path, by: str, note: str | None, ids: tuple[str, ...]) -> None:
    """Approve recommendations by id (HQ then pushes their prices to the stores)."""
    _decide(lakehouse, ids, "approved", by, note)


@prices.command()
@LAKEHOUSE
@click.option("--by", required=True, help="The manager deciding (recorded with the decision).")
@click.option("--note", default=None, help="Why, for the record.")
@click.argument("ids", nargs=-1, required=True)
def reject(lakehouse: Path, by: str, note: str | None, ids: tuple[str, ...]) -> None:
    """Reject recommendations by id."""
    _decide(lakehouse, ids, "rejected", by, note)


@main.group("release")
def release_group() -> None:
    """Model releases after the fact: roll one back (releasing is the flow `run release`)."""


MQTT_CA_FILE = click.option(
    "--mqtt-ca-file",
    envvar="AIWEBPOS_MQTT_CA_FILE",
    default=None,
    type=click.Path(dir_okay=False, exists=True),
    help="For an mqtts:// broker: the CA of its certificate (or AIWEBPOS_MQTT_CA_FILE; default: the system's).",
)


@release_group.command("rollback")
@click.argument("name", metavar="NAME")
@click.option("--reason", required=True, help="Why, for the record and the stores' logs.")
@click.option(
    "--releases-dir",
    envvar="AIWEBPOS_RELEASES_DIR",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The releases folder the release flow writes (or AIWEBPOS_RELEASES_DIR).",
)
@click.option(
    "--mqtt-url",
    envvar="AIWEBPOS_MQTT_URL",
    default=None,
    help="The broker as aiwebpos-hq (or AIWEBPOS_MQTT_URL).",
)
@click.option(
    "--key-file",
    envvar="AIWEBPOS_RELEASE_KEY_FILE",
    default=None,
    help="The release signing key (or AIWEBPOS_RELEASE_KEY_FILE).",
)
@MQTT_CA_FILE
def rollback(
    name: str,
    reason: str,
    releases_dir: Path,
    mqtt_url: str | None,
    key_file: str | None,
    mqtt_ca_file: str | None,
) -> None:
    """Publish a new release of the version NAME's current release replaced, to every store."""
    from aiwebpos_cloud.releases.publish import PublishError
    from aiwebpos_pipelines.flows.release import ReleaseError, target_from
    from aiwebpos_pipelines.flows.release import rollback as roll_back

    try:
        target = target_from(None, str(releases_dir), None, mqtt_url, key_file, mqtt_ca_file)
        released = roll_back(target, name, reason)
    except (ReleaseError, PublishError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name}: v{released.version} released to all stores ({released.reason})")


@release_group.command("canary")
@LAKEHOUSE
@click.option(
    "--threshold",
    default=0.5,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Roll back when the canary's alert rate exceeds the others' by more than this share.",
)
@click.option(
    "--min-sales", default=200, show_default=True, type=click.IntRange(min=1), help="Sales each side needs."
)
@click.option(
    "--releases-dir",
    envvar="AIWEBPOS_RELEASES_DIR",
    required=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="The releases folder (or AIWEBPOS_RELEASES_DIR).",
)
@click.option("--mqtt-url", envvar="AIWEBPOS_MQTT_URL", default=None, help="The broker as aiwebpos-hq.")
@click.option("--key-file", envvar="AIWEBPOS_RELEASE_KEY_FILE", default=None, help="The release signing key.")
@MQTT_CA_FILE
def canary(
    lakehouse: Path,
    threshold: float,
    min_sales: int,
    releases_dir: Path,
    mqtt_url: str | None,
    key_file: str | None,
    mqtt_ca_file: str | None,
) -> None:
    """Compare the fraud model canary's alert rate with the other stores'; roll back when it is worse."""
    from aiwebpos_cloud.releases.publish import PublishError
    from aiwebpos_cloud.releases.store import ReleaseStore
    from aiwebpos_pipelines.canary import fraud_canary
    from aiwebpos_pipelines.flows.release import ReleaseError, target_from
    from aiwebpos_pipelines.flows.release import rollback as roll_back
    from aiwebpos_pipelines.registry import FRAUD

    _require_lakehouse(lakehouse)
    current = ReleaseStore(releases_dir).current(FRAUD)
    if current is None or current.rollout.mode == "all":
        raise click.ClickException(f"{FRAUD} has no canary out (its current release goes to every store)")
    verdict = fraud_canary(lakehouse, current, threshold, min_sales)
    click.echo(f"{FRAUD} v{current.version}: {verdict.describe()}")
    if not verdict.enough:
        click.echo(f"too few sales yet (at least {min_sales} each side): the canary stays")
        return
    if not verdict.worse:
        click.echo("the canary holds")
        return
    try:
        target = target_from(None, str(releases_dir), None, mqtt_url, key_file, mqtt_ca_file)
        released = roll_back(target, FRAUD, f"canary alerts {verdict.describe()}")
    except (ReleaseError, PublishError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"rolled back: v{released.version} released to all stores")
