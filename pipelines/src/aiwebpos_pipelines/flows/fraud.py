"""`train-fraud`: fit the fraud model on the chain's recent transactions and shifts, measure it against
the labelled fraud (the generator's ground truth, HQ's reviews), register it, and list the alerts.

Metrics: `precision_at_k` (transactions; `k` is a parameter), `shift_precision_at_k` (cashier shifts,
k_shifts), and the same for the rules alone and the forest alone, so a data scientist sees what each
part adds. The version becomes champion when its `precision_at_k` beats the champion's.
"""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE

from aiwebpos_models.fraud import FraudModel, transaction_features
from aiwebpos_models.metrics import precision_at_k
from aiwebpos_pipelines import lake, registry

QUERIES = {
    "sales": """SELECT receipt_no, store_id, shift_id, cashier, occurred_at, line_count, total_cents,
                       discount_cents, voided_count, voided_cents
                FROM sales WHERE date >= $1""",
    "sale_lines": "SELECT receipt_no, unit_price_cents, quantity, price_overridden FROM sale_lines WHERE date >= $1",
    "payments": """SELECT receipt_no, method, amount_cents FROM payments
                   WHERE date >= $1 AND document <> 'credit_note'""",
    "returns": """SELECT credit_note_no, original_receipt_no, store_id, shift_id, cashier, occurred_at,
                         line_count, refund_cents, refund_method FROM returns WHERE date >= $1""",
    "shifts": "SELECT * FROM shifts WHERE closed_at IS NOT NULL AND closed_at >= $1",
    "labels": "SELECT kind, ref FROM fraud_labels WHERE date >= $1",
}
ALERT_THRESHOLD = 0.5


@dataclass
class FraudRun:
    model: FraudModel
    transactions: pl.DataFrame  # scored
    shifts: pl.DataFrame  # scored
    metrics: dict[str, float]


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def build_features(lakehouse: Path, days: int) -> dict[str, pl.DataFrame]:
    last = lake.last_sales_date(lakehouse)
    if last is None:
        raise lake.NoData(f"{lakehouse} holds no sales yet: nothing to train the fraud model on")
    inputs = lake.frames(lakehouse, QUERIES, [last - timedelta(days=days - 1)])
    inputs["transactions"] = transaction_features(
        inputs["sales"], inputs["sale_lines"], inputs["payments"], inputs["returns"]
    )
    return inputs


def _precision(scored: pl.DataFrame, key: str, labelled: set[str], k: int, column: str = "score") -> float:
    labels = scored.get_column(key).is_in(list(labelled)).to_numpy()
    if not labels.any():
        return float("nan")  # nobody has labelled any fraud in this window: nothing to measure
    return precision_at_k(scored.get_column(column).to_numpy(), labels, k)


@task(cache_policy=NO_CACHE)  # inputs are frames: nothing to gain from hashing them
def train(inputs: dict[str, pl.DataFrame], k: int, k_shifts: int, trees: int, seed: int) -> FraudRun:
    model = FraudModel(trees=trees, seed=seed).fit(inputs["transactions"], inputs["shifts"])
    scored = model.score_transactions(inputs["transactions"])
    shifts = model.score_shifts(inputs["shifts"], scored)
    labels = inputs["labels"]
    fraud_refs = set(labels.filter(pl.col("kind").is_in(["sale", "return"])).get_column("ref").to_list())
    fraud_shifts = set(labels.filter(pl.col("kind") == "shift").get_column("ref").to_list())
    metrics = {
        "precision_at_k": _precision(scored, "ref", fraud_refs, k),
        "rules_precision_at_k": _precision(scored, "ref", fraud_refs, k, "rule_score"),
        "anomaly_precision_at_k": _precision(scored, "ref", fraud_refs, k, "anomaly"),
        "shift_precision_at_k": _precision(shifts, "shift_id", fraud_shifts, k_shifts),
        "base_rate": len(fraud_refs) / max(scored.height, 1),
        "transactions": float(scored.height),
        "shifts": float(shifts.height),
        "alerts": float(scored.filter(pl.col("score") >= ALERT_THRESHOLD).height),
    }
    return FraudRun(model, scored, shifts, metrics)


def alerts(run: FraudRun, version: str) -> pl.DataFrame:
    """What HQ reviews: transactions and shifts scoring at least ALERT_THRESHOLD, with their reasons."""
    tx = run.transactions.filter(pl.col("score") >= ALERT_THRESHOLD).select(
        pl.col("kind"),
        "ref",
        "store_id",
        "shift_id",
        "cashier",
        "occurred_at",
        "score",
        "reasons",
    )
    shifts = run.shifts.filter(pl.col("score") >= ALERT_THRESHOLD).select(
        pl.lit("shift").alias("kind"),
        pl.col("shift_id").alias("ref"),
        "store_id",
        "shift_id",
        "cashier",
        pl.col("closed_at").alias("occurred_at"),
        "score",
        "reasons",
    )
    return (
        pl.concat([tx, shifts], how="vertical_relaxed")
        .with_columns(
            pl.col("reasons").list.join("; "),
            pl.lit(registry.FRAUD).alias("model"),
            pl.lit(version).alias("model_version"),
            pl.lit("open").alias("status"),
        )
        .sort("score", descending=True)
    )


@task(retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def log_and_register(run: FraudRun, params: dict[str, Any], mlflow_uri: str) -> registry.Registered:
    def save(folder: Path) -> tuple[Path, dict[str, Path]]:
        top = folder / "top_transactions.csv"
        ranked = run.transactions.sort("score", descending=True).head(200)
        ranked.with_columns(pl.col("reasons").list.join("; ")).write_csv(top)
        return run.model.save(folder / "bundle", {"metrics": run.metrics}), {"review": top}

    training = registry.Training(
        registry.FRAUD,
        params,
        run.metrics,
        "precision_at_k",
        lower_is_better=False,
        description="Exception rules plus IsolationForest over sales, returns and cashier shifts",
    )
    return registry.record(mlflow_uri, training, save)


@flow(name="train-fraud")
def train_fraud(
    lakehouse: str,
    mlflow_uri: str,
    days: int = 120,
    k: int = 50,
    k_shifts: int = 20,
    trees: int = 200,
    seed: int = 0,
) -> dict[str, Any]:
    """Train, evaluate and register the fraud model on the last `days` days; write `fraud_alerts`."""
    logger = get_run_logger()
    lakehouse_path = Path(lakehouse)
    inputs = build_features(lakehouse_path, days)
    run = train(inputs, k, k_shifts, trees, seed)
    params = {"days": days, "k": k, "k_shifts": k_shifts, **run.model.params()}
    registered = log_and_register(run, params, mlflow_uri)
    lake.write_output(lakehouse_path, "fraud_alerts", alerts(run, registered.version))
    logger.info("%s; %d alerts to review", registered.describe(), int(run.metrics["alerts"]))
    return {"registered": registered, "metrics": run.metrics}
