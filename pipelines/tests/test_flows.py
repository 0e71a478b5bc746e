"""The flows end to end on a generated chain: real lakehouse, Prefect's test harness, a local MLflow store."""

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner
from mlflow import MlflowClient

from aiwebpos_pipelines import lake, registry
from aiwebpos_pipelines.cli import main
from aiwebpos_pipelines.deployments import TIMEZONE, deployments
from aiwebpos_pipelines.flows.forecast import train_forecast
from aiwebpos_pipelines.flows.fraud import train_fraud
from aiwebpos_pipelines.flows.pricing import train_pricing
from aiwebpos_pipelines.flows.watch import DRIFT_EVENT, NEW_STORE_EVENT, watch
from aiwebpos_pipelines.history import generate_history

END = date(2026, 10, 31)

# Third-party noise, named narrowly: MLflow's SQL store still uses a loader strategy SQLAlchemy 2.1 deprecates.
pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated")


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two stores, 120 days, 25 SKUs: enough for a 28-day forecast with one backtest fold."""
    lakehouse = tmp_path_factory.mktemp("chain") / "lakehouse"
    generate_history(lakehouse, stores=2, days=120, skus=25, seed=3, end=END)
    return lakehouse


@pytest.fixture(scope="module")
def mlflow_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    return registry.local_store_uri(tmp_path_factory.mktemp("mlflow"))


@pytest.fixture(scope="module")
def first_watch(harness: None, chain: Path, mlflow_uri: str) -> dict[str, Any]:
    result: dict[str, Any] = watch(str(chain), mlflow_uri)
    return result


@pytest.fixture(scope="module")
def forecast(first_watch: dict[str, Any], chain: Path, mlflow_uri: str) -> dict[str, Any]:
    result: dict[str, Any] = train_forecast(str(chain), mlflow_uri, folds=1)
    return result


def query(lakehouse: Path, sql: str) -> pl.DataFrame:
    return lake.frames(lakehouse, {"q": sql})["q"]


def test_the_forecast_is_logged_with_its_baselines_and_beats_seasonal_naive(
    forecast: dict[str, Any], mlflow_uri: str
) -> None:
    registered = forecast["registered"]
    assert (registered.model, registered.version, registered.alias) == ("aiwebpos-forecast", "1", "champion")
    run = MlflowClient(mlflow_uri).get_run(registered.run_id)
    for name in (
        "backtest_rmsse",
        "backtest_wape",
        "baseline_seasonal_naive_rmsse",
        "baseline_seasonal_naive_wape",
    ):
        assert name in run.data.metrics
    assert {"rf_rmsse", "ets_rmsse"} <= set(run.data.metrics)  # the other baselines, side by side
    assert run.data.metrics["backtest_rmsse"] < run.data.metrics["baseline_seasonal_naive_rmsse"]
    assert run.data.params["horizon"] == "28"


def test_the_forecast_covers_the_next_28_days_of_every_selling_series(
    forecast: dict[str, Any], chain: Path
) -> None:
    forecasts = query(chain, "SELECT * FROM forecasts")
    assert forecasts.get_column("date").min() == END + timedelta(days=1)
    assert forecasts.get_column("date").max() == END + timedelta(days=28)
    per_series = forecasts.group_by("store_id", "sku").len()
    assert per_series.get_column("len").unique().to_list() == [28]
    assert per_series.height >= 2 * 20  # most of the 25 SKUs in both stores
    assert forecasts.get_column("forecast").min() >= 0
    assert set(forecasts.get_column("model_version").to_list()) == {forecast["registered"].version}


def test_reorder_suggestions_come_in_whole_packs(forecast: dict[str, Any], chain: Path) -> None:
    orders = query(
        chain,
        "SELECT r.*, p.pack_size FROM reorder_suggestions r JOIN products p USING (sku) WHERE suggested_qty > 0",
    )
    assert orders.height > 0
    assert (orders.get_column("suggested_qty") % orders.get_column("pack_size")).max() == 0


def test_a_store_new_to_the_forecast_is_announced_until_the_forecast_knows_it(
    first_watch: dict[str, Any], forecast: dict[str, Any], chain: Path, mlflow_uri: str
) -> None:
    stores = sorted(query(chain, "SELECT DISTINCT store_id FROM sales").get_column("store_id").to_list())
    assert first_watch["new_stores"] == stores  # no champion yet: every store is new to it
    assert watch(str(chain), mlflow_uri)["new_stores"] == []


def test_a_forecast_far_from_what_sold_is_drift(
    forecast: dict[str, Any], chain: Path, mlflow_uri: str
) -> None:
    # The champion's forecast of the last fortnight, had it been three times what was sold.
    sold = query(
        chain,
        f"""SELECT store_id, sku, date, sum(quantity)::DOUBLE * 3 + 1 AS forecast FROM sale_lines
            WHERE date > DATE '{END}' - INTERVAL 14 DAY GROUP BY ALL""",
    ).with_columns(
        pl.lit(END - timedelta(days=13)).alias("origin"),
        pl.lit(registry.FORECAST).alias("model"),
        pl.lit("1").alias("model_version"),
    )
    lake.write_output(chain, "forecasts", sold)
    result = watch(str(chain), mlflow_uri)
    assert result["drift"] is True and result["days"] == 14
    assert result["live_wape"] > 1.5


def test_fraud_is_ranked_against_the_labelled_cases_and_every_alert_says_why(
    harness: None, chain: Path, mlflow_uri: str
) -> None:
    result = train_fraud(str(chain), mlflow_uri, k=20, k_shifts=10)
    registered, metrics = result["registered"], result["metrics"]
    assert registered.alias == "champion"
    run = MlflowClient(mlflow_uri).get_run(registered.run_id)
    assert run.data.params["k"] == "20"
    assert "precision_at_k" in run.data.metrics and "shift_precision_at_k" in run.data.metrics
    assert metrics["shift_precision_at_k"] > 2 * metrics["base_rate"]  # far better than picking at random
    alerts = query(chain, "SELECT * FROM fraud_alerts")
    assert alerts.height > 0 and alerts.get_column("score").min() >= 0.5
    assert alerts.filter(pl.col("reasons") == "").is_empty()


def test_prices_are_only_ever_proposed(harness: None, chain: Path, mlflow_uri: str) -> None:
    before = query(chain, "SELECT sku, price_cents FROM products ORDER BY sku")
    result = train_pricing(str(chain), mlflow_uri)
    proposals = query(chain, "SELECT * FROM price_recommendations")
    assert proposals.height == result["proposals"]
    assert set(proposals.get_column("status").to_list()) <= {"proposed"}
    assert query(chain, "SELECT sku, price_cents FROM products ORDER BY sku").equals(before)
    run = MlflowClient(mlflow_uri).get_run(result["registered"].run_id)
    assert {"backtest_promo_wape", "baseline_no_price_effect_wape"} <= set(run.data.metrics)


def test_a_manager_approves_or_rejects_and_an_unknown_id_changes_nothing(
    harness: None, chain: Path, mlflow_uri: str
) -> None:
    if not (chain / "price_recommendations").is_dir():
        train_pricing(str(chain), mlflow_uri)
    ids = query(chain, "SELECT recommendation_id FROM price_recommendations").get_column("recommendation_id")
    assert ids.len() >= 2
    cli, lakehouse = CliRunner(), ["--lakehouse", str(chain)]
    refused = cli.invoke(main, ["prices", "approve", *lakehouse, "--by", "lerato", ids[0], "no-such-id"])
    assert refused.exit_code == 1 and "no-such-id" in refused.output
    assert (
        not (chain / "price_decisions").is_dir() or query(chain, "SELECT * FROM price_decisions").is_empty()
    )
    assert cli.invoke(main, ["prices", "approve", *lakehouse, "--by", "lerato", ids[0]]).exit_code == 0
    assert cli.invoke(main, ["prices", "reject", *lakehouse, "--by", "lerato", ids[1]]).exit_code == 0
    decided = query(chain, "SELECT recommendation_id, decision, decided_by FROM price_decisions ORDER BY 2")
    assert decided.rows() == [(ids[0], "approved", "lerato"), (ids[1], "rejected", "lerato")]
    listing = json.loads(cli.invoke(main, ["prices", "list", *lakehouse, "--status", "all", "--json"]).output)
    assert {row["recommendation_id"]: row["status"] for row in listing}[ids[0]] == "approved"
    still_open = json.loads(cli.invoke(main, ["prices", "list", *lakehouse, "--json"]).output)
    assert {row["status"] for row in still_open} <= {"proposed"} and len(still_open) == ids.len() - 2


def test_run_refuses_a_folder_that_is_not_a_lakehouse(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "train-fraud", "--lakehouse", str(tmp_path)])
    assert result.exit_code == 1
    assert "is not a lakehouse" in result.output


def test_run_refuses_an_unknown_flow(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", "train-everything", "--lakehouse", str(tmp_path)])
    assert result.exit_code == 2
    assert "train-forecast" in result.output  # the choices are listed


def test_forecasting_retrains_weekly_and_on_a_new_store_or_drift() -> None:
    by_name = {d.name: d for d in deployments("/lake", "sqlite:///m.db")}
    forecast = by_name["aiwebpos-train-forecast"]
    (schedule,) = forecast.schedules
    assert schedule.schedule.cron == "0 1 * * 1" and schedule.schedule.timezone == TIMEZONE
    assert sorted(next(iter(t.expect)) for t in forecast.triggers) == sorted([DRIFT_EVENT, NEW_STORE_EVENT])
    assert by_name["aiwebpos-train-fraud"].schedules[0].schedule.cron == "30 22 * * *"  # nightly
    assert forecast.parameters == {"lakehouse": "/lake", "mlflow_uri": "sqlite:///m.db"}
