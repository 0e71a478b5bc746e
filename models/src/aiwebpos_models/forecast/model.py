"""The demand forecaster: one global tree model over every store × SKU, direct 1…28 days ahead.

"hgb" (HistGradientBoostingRegressor with a Poisson loss: demand is a count, its noise grows with its
level, and the log link makes a store's or a payday's lift multiplicative) is the production model;
"rf" (a size-bounded RandomForestRegressor) is the original design, kept as a baseline.

The estimator inside is a plain scikit-learn object fed a float matrix whose columns are `features`
(no lambdas, no custom classes), so skops can serialise it with its default trusted types; `metadata()`
holds everything else as JSON-friendly values.
"""

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Literal, Protocol, Self

import numpy as np
import polars as pl
from sklearn.ensemble import HistGradientBoostingRegressor, RandomForestRegressor

from aiwebpos_models.forecast.features import (
    FEATURES,
    TARGET,
    make_features,
    scoring_targets,
    training_examples,
)
from aiwebpos_models.forecast.frames import FORECAST_SCHEMA, SERIES, history_before

Kind = Literal["hgb", "rf"]
FloatMatrix = np.ndarray[Any, np.dtype[np.float64]]
ParamValue = float | int | str | bool | None

DEFAULT_PARAMS: dict[Kind, dict[str, ParamValue]] = {
    "hgb": {
        "loss": "poisson",
        "learning_rate": 0.05,
        "max_iter": 300,
        "max_leaf_nodes": 31,
        "min_samples_leaf": 40,
        "l2_regularization": 1.0,
        "early_stopping": True,
        "validation_fraction": 0.1,
        "n_iter_no_change": 20,
    },
    # Bounded so that it trains in seconds and fits on a store node: 60 trees of at most 12 levels,
    # each grown on a 30 % bootstrap sample.
    "rf": {
        "n_estimators": 60,
        "max_depth": 12,
        "min_samples_leaf": 10,
        "max_features": 0.5,
        "max_samples": 0.3,
        "n_jobs": 2,
    },
}


class Estimator(Protocol):
    """What the forecaster needs of its scikit-learn regressor (sklearn ships no type hints)."""

    def fit(self, X: FloatMatrix, y: FloatMatrix) -> Any: ...

    def predict(self, X: FloatMatrix) -> FloatMatrix: ...


def training_origins(
    demand: pl.DataFrame, horizon: int = 28, count: int = 12, step_days: int = 7
) -> list[date]:
    """The latest `count` origins, `step_days` apart, whose whole horizon lies inside `demand` and
    that have at least four weeks of history behind them (oldest first)."""
    first, last = demand["date"].min(), demand["date"].max()
    assert isinstance(first, date) and isinstance(last, date), "demand has no dates"
    latest = last - timedelta(days=horizon - 1)
    earliest = first + timedelta(days=28)
    origins = [latest - timedelta(days=step_days * i) for i in range(count)]
    return sorted(o for o in origins if o >= earliest)


class DemandForecaster:
    def __init__(
        self,
        kind: Kind = "hgb",
        params: Mapping[str, ParamValue] | None = None,
        *,
        origins: int = 12,
        origin_step_days: int = 7,
        max_examples: int = 300_000,
        random_state: int = 0,
    ) -> None:
        if kind not in DEFAULT_PARAMS:
            raise ValueError(f"unknown forecaster kind {kind!r}: use 'hgb' or 'rf'")
        self.kind: Kind = kind
        self.params: dict[str, ParamValue] = {**DEFAULT_PARAMS[kind], **(params or {})}
        self.origins = origins
        self.origin_step_days = origin_step_days
        self.max_examples = max_examples
        self.random_state = random_state
        self.features: list[str] = list(FEATURES)
        self.horizon = 28
        self.estimator: Estimator | None = None
        # Per series RMSE of a holdout forecast (plain lists, so that metadata() is JSON).
        self._sd_rows: dict[str, list[Any]] = {"store_id": [], "sku": [], "residual_sd": []}

    def _new_estimator(self) -> Estimator:
        estimator: Estimator
        if self.kind == "hgb":
            estimator = HistGradientBoostingRegressor(random_state=self.random_state, **self.params)
        else:
            estimator = RandomForestRegressor(random_state=self.random_state, **self.params)
        return estimator

    def _matrix(self, rows: pl.DataFrame) -> FloatMatrix:
        return rows.select(self.features).to_numpy().astype(np.float64)

    def _train(self, examples: pl.DataFrame) -> Estimator:
        if examples.height > self.max_examples:
            examples = examples.sample(self.max_examples, seed=self.random_state)
        estimator = self._new_estimator()
        estimator.fit(self._matrix(examples), examples[TARGET].to_numpy())
        return estimator

    def fit(
        self, demand: pl.DataFrame, origin_dates: Sequence[date] | None = None, horizon: int = 28
    ) -> Self:
        """Learn from the `horizon` days after each origin (default: `training_origins`).

        Before the final fit, a model trained only on origins whose windows end before the last origin
        forecasts that last window: its errors per series are the `residual_sd` (honest out-of-sample
        spread, which in-sample trees would understate).
        """
        origins = sorted(
            origin_dates or training_origins(demand, horizon, self.origins, self.origin_step_days)
        )
        if not origins:
            raise ValueError("no training origin: demand needs at least horizon + 28 days of history")
        self.horizon = horizon
        examples = training_examples(demand, origins, horizon)
        holdout_origin = origins[-1]
        earlier = examples.filter(pl.col("origin") <= holdout_origin - timedelta(days=horizon))
        holdout = examples.filter(pl.col("origin") == holdout_origin)
        probe = self._train(earlier) if earlier.height > 0 else None
        self.estimator = self._train(examples)
        judge = probe or self.estimator  # with a single origin only in-sample errors are left
        residuals = holdout.select(
            *SERIES,
            (pl.col(TARGET) - pl.Series(judge.predict(self._matrix(holdout))).clip(0.0)).alias("error"),
        )
        spread = residuals.group_by(SERIES).agg(pl.col("error").pow(2).mean().sqrt().alias("residual_sd"))
        self._sd_rows = spread.sort(SERIES).to_dict(as_series=False)
        return self

    @property
    def residual_sd(self) -> pl.DataFrame:
        """Per store × SKU standard deviation of a day's forecast error (store_id, sku, residual_sd)."""
        return pl.DataFrame(
            self._sd_rows, schema={"store_id": pl.String(), "sku": pl.String(), "residual_sd": pl.Float64()}
        )

    def predict(
        self,
        demand_history: pl.DataFrame,
        origin: date,
        horizon: int = 28,
        future_prices: pl.DataFrame | None = None,
    ) -> pl.DataFrame:
        """Forecast (store_id, sku, date, forecast ≥ 0) for every series on sale at the end of the
        history and every series `future_prices` names, over origin … origin + horizon − 1."""
        if self.estimator is None:
            raise RuntimeError("the forecaster is not fitted: call fit(demand) first")
        history = history_before(demand_history, origin)
        targets = scoring_targets(history, origin, horizon, future_prices)
        if targets.is_empty():
            return pl.DataFrame(schema=FORECAST_SCHEMA)
        rows = make_features(history, origin, targets)
        forecast = np.clip(self.estimator.predict(self._matrix(rows)), 0.0, None)
        return rows.select(*SERIES, "date", pl.Series("forecast", forecast, dtype=pl.Float64)).sort(
            [*SERIES, "date"]
        )

    def metadata(self) -> dict[str, Any]:
        """Everything but the estimator, as JSON-friendly values (for the model registry)."""
        return {
            "kind": self.kind,
            "params": dict(self.params),
            "features": list(self.features),
            "horizon": self.horizon,
            "residual_sd": {key: list(values) for key, values in self._sd_rows.items()},
        }

    @classmethod
    def from_parts(cls, estimator: Estimator, metadata: Mapping[str, Any]) -> "DemandForecaster":
        """Rebuild a fitted forecaster from its estimator and `metadata()` (after loading an artifact)."""
        forecaster = cls(metadata["kind"], metadata["params"])
        forecaster.estimator = estimator
        forecaster.features = list(metadata["features"])
        forecaster.horizon = int(metadata["horizon"])
        forecaster._sd_rows = {key: list(values) for key, values in metadata["residual_sd"].items()}
        return forecaster
