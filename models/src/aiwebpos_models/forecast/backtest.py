"""Rolling-origin backtests: forecast from several past origins, compare with what sold.

Each fold hands every forecaster only the history before its origin (`history_before`), so no model
can see the days it is judged on. Scores per model and fold, and pooled over folds:

- WAPE over every store × SKU × day of the folds' horizons;
- RMSSE per series, scaled by the one-step naive error of that series' history before the origin, and
  averaged with the series' units sold in the 28 days before the origin as weights (M5 style: the
  series that matter to the business weigh most). Series without history or without a scale are left
  out of RMSSE but not of WAPE.

A series a forecaster leaves out (e.g. a SKU launched inside the fold) is scored as a forecast of zero.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from aiwebpos_models.forecast.frames import SERIES, history_before
from aiwebpos_models.forecast.model import DemandForecaster, Kind, ParamValue
from aiwebpos_models.metrics import rmsse, wape

Forecaster = Callable[[pl.DataFrame, date, int], pl.DataFrame]
WEIGHT_DAYS = 28
PLAN_COLUMNS = {"price_cents", "regular_price_cents", "promo"}


@dataclass(frozen=True)
class RetrainingForecaster:
    """A DemandForecaster as a backtest Forecaster: fit on the fold's history, then predict.

    `price_plan` (store_id, sku, date, price_cents, regular_price_cents, promo — never quantities) is
    the price calendar the stores had planned; without it the model assumes regular prices ahead, as
    it must in production when promotions are not planned in the system.
    """

    kind: Kind = "hgb"
    params: Mapping[str, ParamValue] | None = None
    origins: int = 12
    price_plan: pl.DataFrame | None = None

    def __call__(self, history: pl.DataFrame, origin: date, horizon: int) -> pl.DataFrame:
        known = history_before(history, origin)
        model = DemandForecaster(self.kind, self.params, origins=self.origins).fit(known, horizon=horizon)
        plan = None
        if self.price_plan is not None:
            plan = self.price_plan.select(
                *SERIES, "date", *PLAN_COLUMNS.intersection(self.price_plan.columns)
            )
        return model.predict(known, origin, horizon, future_prices=plan)


def backtest_origins(demand: pl.DataFrame, folds: int, horizon: int, step: int) -> list[date]:
    """The `folds` latest origins, `step` days apart, the last one's horizon ending on the last day."""
    last = demand["date"].max()
    assert isinstance(last, date), "demand has no dates"
    latest = last - timedelta(days=horizon - 1)
    return sorted(latest - timedelta(days=step * i) for i in range(folds))


def _series_scales(history: pl.DataFrame, origin: date) -> pl.DataFrame:
    """Per series: the RMSSE scale of its history and its recent volume (the RMSSE weight)."""
    ordered = history.sort([*SERIES, "date"])
    return ordered.group_by(SERIES, maintain_order=True).agg(
        pl.col("quantity").alias("history"),
        pl.col("quantity")
        .filter(pl.col("date") >= origin - timedelta(days=WEIGHT_DAYS))
        .sum()
        .alias("weight"),
    )


def _rmsse(scored: pl.DataFrame) -> float:
    """Volume-weighted RMSSE over the (series, fold) groups of `scored` (needs history, weight)."""
    groups = scored.group_by("fold", *SERIES).agg(
        pl.col("actual"), pl.col("forecast"), pl.col("history").first(), pl.col("weight").first()
    )
    usable = groups.filter(pl.col("history").is_not_null())
    if usable.is_empty():
        return float("nan")
    return rmsse(
        usable["actual"].to_list(),
        usable["forecast"].to_list(),
        usable["history"].to_list(),
        usable["weight"].to_list(),
    )


@dataclass(frozen=True)
class BacktestReport:
    predictions: pl.DataFrame  # model, fold, origin, store_id, sku, date, actual, forecast
    scales: pl.DataFrame  # fold, store_id, sku, history (list), weight

    @property
    def models(self) -> list[str]:
        return self.predictions["model"].unique(maintain_order=True).to_list()

    def _scored(self) -> pl.DataFrame:
        return self.predictions.join(self.scales, on=["fold", *SERIES], how="left")

    def scores(self) -> pl.DataFrame:
        """One row per model and fold (fold = null: pooled over folds): wape, rmsse, rows, missing."""
        scored = self._scored()
        rows = []
        for model in self.models:
            of_model = scored.filter(pl.col("model") == model)
            for fold in [*of_model["fold"].unique().sort().to_list(), None]:
                part = of_model if fold is None else of_model.filter(pl.col("fold") == fold)
                rows.append(
                    {
                        "model": model,
                        "fold": fold,
                        "origin": part["origin"].min() if fold is not None else None,
                        "wape": wape(part["actual"].to_numpy(), part["forecast"].to_numpy()),
                        "rmsse": _rmsse(part),
                        "rows": part.height,
                        "missing": int(part["missing"].sum()),
                    }
                )
        return pl.DataFrame(
            rows,
            schema={
                "model": pl.String(),
                "fold": pl.Int64(),
                "origin": pl.Date(),
                "wape": pl.Float64(),
                "rmsse": pl.Float64(),
                "rows": pl.Int64(),
                "missing": pl.Int64(),
            },
        )

    def summary(self) -> dict[str, float]:
        """Pooled scores as flat metric names: {"<model>_wape": …, "<model>_rmsse": …} (for MLflow)."""
        pooled = self.scores().filter(pl.col("fold").is_null())
        metrics: dict[str, float] = {}
        for row in pooled.iter_rows(named=True):
            metrics[f"{row['model']}_wape"] = row["wape"]
            metrics[f"{row['model']}_rmsse"] = row["rmsse"]
        return metrics


def backtest(
    demand: pl.DataFrame,
    forecasters: Mapping[str, Forecaster],
    folds: int = 3,
    horizon: int = 28,
    step: int = 28,
    origins: Sequence[date] | None = None,
) -> BacktestReport:
    """Score every forecaster on `folds` rolling origins (or the given `origins`)."""
    fold_origins = sorted(origins) if origins is not None else backtest_origins(demand, folds, horizon, step)
    predictions, scales = [], []
    for fold, origin in enumerate(fold_origins):
        history = history_before(demand, origin)
        actual = demand.filter(
            (pl.col("date") >= origin) & (pl.col("date") < origin + timedelta(days=horizon))
        ).select(*SERIES, "date", pl.col("quantity").cast(pl.Float64).alias("actual"))
        scales.append(_series_scales(history, origin).with_columns(pl.lit(fold).alias("fold")))
        for name, forecaster in forecasters.items():
            forecast = forecaster(history, origin, horizon).select(*SERIES, "date", "forecast")
            predictions.append(
                actual.join(forecast, on=[*SERIES, "date"], how="left").select(
                    pl.lit(name).alias("model"),
                    pl.lit(fold).alias("fold"),
                    pl.lit(origin).alias("origin"),
                    *SERIES,
                    "date",
                    "actual",
                    pl.col("forecast").fill_null(0.0).cast(pl.Float64),
                    pl.col("forecast").is_null().alias("missing"),
                )
            )
    return BacktestReport(
        predictions=pl.concat(predictions),
        scales=pl.concat(scales).select("fold", *SERIES, "history", "weight"),
    )
