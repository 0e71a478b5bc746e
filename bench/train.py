"""Training: accuracy and wall time of each model beside its baselines, on one generated chain.

- Forecast: the same rolling-origin backtest (2 folds × 28 days) for the global HistGradientBoosting
  model, the RandomForest of the original design, statsforecast's AutoETS and the seasonal naive;
  RMSSE and WAPE of each beside the seasonal naive's (the yardstick every forecast must beat), and the
  wall time of each backtest beside the bare `HistGradientBoostingRegressor.fit` on the same training
  matrix (the estimator alone: everything else is feature building).
- How training grows with the number of series: the final fit on 1/4, 1/2 and all of the series, and the
  exponent b of time ∝ series^b (1 is linear).
- Fraud: precision@k against the generator's labels, beside the rules alone, and the fit's wall time
  beside the bare IsolationForest fit on the same matrix.
"""

import math
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from rich.progress import Progress
from sklearn.ensemble import HistGradientBoostingRegressor, IsolationForest

from aiwebpos_models.demand import daily_demand
from aiwebpos_models.forecast.backtest import RetrainingForecaster, backtest
from aiwebpos_models.forecast.baselines import seasonal_naive
from aiwebpos_models.forecast.ets import ets_forecast
from aiwebpos_models.forecast.features import FEATURES, TARGET, training_examples
from aiwebpos_models.forecast.model import DEFAULT_PARAMS, DemandForecaster, training_origins
from aiwebpos_models.fraud import FraudModel, transaction_features
from aiwebpos_models.metrics import precision_at_k
from aiwebpos_pipelines import lake
from aiwebpos_pipelines.flows.forecast import QUERIES as FORECAST_QUERIES
from aiwebpos_pipelines.flows.fraud import QUERIES as FRAUD_QUERIES
from aiwebpos_pipelines.history import generate_history
from bench.results import RUNS, BenchResult, Figure, median

NAME = "train"
STORES, DAYS, SKUS = 3, 365, 60
FOLDS, HORIZON = 2, 28
SEED = 1  # a chain whose dishonest cashiers void, refund, open the drawer and sell after hours
K = 100  # transactions a loss-prevention officer reviews
K_SHIFTS = 20  # cashier shifts


def timed(work: Any, *args: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    answer = work(*args)
    return answer, time.perf_counter() - started


def forecasters() -> dict[str, Any]:
    return {
        "hgb": RetrainingForecaster("hgb"),
        "rf": RetrainingForecaster("rf"),
        "ets": ets_forecast,
        "seasonal_naive": seasonal_naive,
    }


def raw_fit_seconds(demand: pl.DataFrame) -> float:
    """The bare estimator fit on the training matrix the forecaster builds (built outside the clock)."""
    examples = training_examples(demand, training_origins(demand, HORIZON), HORIZON)
    x, y = examples.select(FEATURES).to_numpy().astype(np.float64), examples.get_column(TARGET).to_numpy()
    estimator = HistGradientBoostingRegressor(random_state=0, **DEFAULT_PARAMS["hgb"])
    _, seconds = timed(estimator.fit, x, y)
    return seconds


def scaling(demand: pl.DataFrame) -> dict[int, float]:
    series = demand.select("store_id", "sku").unique().sort("store_id", "sku")
    seconds = {}
    for share in (4, 2, 1):
        subset = series.head(max(1, series.height // share))
        part = demand.join(subset, on=["store_id", "sku"], how="semi")
        _, seconds[subset.height] = timed(DemandForecaster("hgb").fit, part)
    return seconds


def exponent(seconds: dict[int, float]) -> float:
    n, t = np.log(list(seconds)), np.log(list(seconds.values()))
    return float(np.polyfit(n, t, 1)[0])


def run(progress: Progress) -> BenchResult:
    steps = progress.add_task(
        f"train: {STORES} stores × {DAYS} days × {SKUS} SKUs, {RUNS} runs", total=RUNS + 1
    )
    with tempfile.TemporaryDirectory(prefix="aiwebpos-bench-") as tmp:
        lakehouse = Path(tmp) / "lakehouse"
        generate_history(lakehouse, stores=STORES, days=DAYS, skus=SKUS, seed=SEED, end=date(2026, 10, 31))
        f = lake.frames(lakehouse, FORECAST_QUERIES, [date(2000, 1, 1)])
        demand = daily_demand(f["sale_lines"], f["products"], f["return_lines"])
        fraud_inputs = lake.frames(lakehouse, FRAUD_QUERIES, [date(2000, 1, 1)])
        progress.advance(steps)
        runs: list[dict[str, Any]] = []
        for _ in range(RUNS):
            runs.append(one_run(demand, fraud_inputs))
            progress.advance(steps)
    return report(runs, demand)


def one_run(demand: pl.DataFrame, fraud: dict[str, pl.DataFrame]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, forecaster in forecasters().items():
        report, seconds = timed(backtest, demand, {name: forecaster}, FOLDS, HORIZON, HORIZON)
        scores = report.summary()
        out[name] = {"rmsse": scores[f"{name}_rmsse"], "wape": scores[f"{name}_wape"], "seconds": seconds}
    out["raw_fit_s"] = raw_fit_seconds(demand)
    out["scaling"] = scaling(demand)
    tx = transaction_features(fraud["sales"], fraud["sale_lines"], fraud["payments"], fraud["returns"])
    model, seconds = timed(FraudModel().fit, tx, fraud["shifts"])
    scored = model.score_transactions(tx)
    truth = fraud["labels"]
    labels = scored.get_column("ref").is_in(truth.get_column("ref").to_list()).to_numpy()
    shifts = model.score_shifts(fraud["shifts"], scored)
    fraud_shifts = truth.filter(pl.col("kind") == "shift").get_column("ref").to_list()
    shift_labels = shifts.get_column("shift_id").is_in(fraud_shifts).to_numpy()
    x = model.transactions.matrix(tx)
    _, raw = timed(IsolationForest(n_estimators=model.trees, random_state=0).fit, x)
    out["fraud"] = {
        "precision": precision_at_k(scored.get_column("score").to_numpy(), labels, K),
        "rules_precision": precision_at_k(scored.get_column("rule_score").to_numpy(), labels, K),
        "base_rate": float(labels.mean()),
        "shift_precision": precision_at_k(shifts.get_column("score").to_numpy(), shift_labels, K_SHIFTS),
        "shift_base_rate": float(shift_labels.mean()),
        "seconds": seconds,
        "raw_s": raw,
    }
    return out


def report(runs: list[dict[str, Any]], demand: pl.DataFrame) -> BenchResult:
    result = BenchResult(NAME)
    series = demand.select("store_id", "sku").unique().height
    result.details.update({"series": series, "days": DAYS, "folds": FOLDS, "horizon": HORIZON, "runs": runs})

    def mid(*path: str) -> float:
        values = []
        for one in runs:
            value: Any = one
            for key in path:
                value = value[key]
            values.append(float(value))
        return median(values)

    naive_rmsse, naive_wape = mid("seasonal_naive", "rmsse"), mid("seasonal_naive", "wape")
    for name in ("hgb", "rf", "ets", "seasonal_naive"):
        goal = "< seasonal naive" if name == "hgb" else ""
        rmsse = mid(name, "rmsse")
        result.add(
            Figure(
                f"forecast {name}: backtest RMSSE",
                rmsse,
                "",
                limit=naive_rmsse,
                limit_label="seasonal naive, same backtest",
                goal=goal,
                met=(rmsse < naive_rmsse) if goal else None,
            )
        )
        result.add(
            Figure(f"  {name}: WAPE", mid(name, "wape"), "", limit=naive_wape, limit_label="seasonal naive")
        )
        result.add(
            Figure(
                f"  {name}: backtest wall time ({FOLDS} folds)",
                mid(name, "seconds"),
                "s",
                limit=mid("raw_fit_s") * FOLDS,
                limit_label="bare HGB fit × folds",
            )
        )
    sizes = sorted(runs[0]["scaling"])
    per_size = {n: median([one["scaling"][n] for one in runs]) for n in sizes}
    for n in sizes:
        result.add(Figure(f"hgb final fit, {n} series", per_size[n], "s"))
    result.add(Figure("  time ∝ series^b: b", exponent(per_size), "", goal="≈ 1 (linear)"))
    result.add(
        Figure(
            f"fraud: precision@{K}",
            mid("fraud", "precision"),
            "",
            better="higher",
            limit=1.0,
            limit_label="every top case a labelled fraud",
        )
    )
    result.add(Figure(f"  rules alone: precision@{K}", mid("fraud", "rules_precision"), "", better="higher"))
    result.add(Figure("  base rate (labelled share)", mid("fraud", "base_rate"), "", better="higher"))
    result.add(
        Figure(
            f"fraud: cashier shifts precision@{K_SHIFTS}",
            mid("fraud", "shift_precision"),
            "",
            better="higher",
            limit=1.0,
            limit_label="every top shift a labelled fraud",
        )
    )
    result.add(Figure("  base rate (labelled shifts)", mid("fraud", "shift_base_rate"), "", better="higher"))
    result.add(
        Figure(
            "  fraud fit wall time",
            mid("fraud", "seconds"),
            "s",
            limit=mid("fraud", "raw_s"),
            limit_label="bare IsolationForest fit",
        )
    )
    if not math.isfinite(exponent(per_size)):
        result.warnings.append("the scaling exponent could not be fitted")
    return result
