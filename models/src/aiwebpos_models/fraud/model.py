"""The fraud model: exception rules plus an IsolationForest, for transactions and for cashier shifts.

Rules catch what managers already know to look for and say why; the IsolationForest catches the
combinations nobody wrote a rule for. An anomaly counts only in the top tail of what training saw
(its percentile above `anomaly_floor`) and weighs at most `anomaly_weight`: rare is not dishonest (one
void in a small basket is rare and everyday), so the forest alone never raises an alert (≥ 0.5) but
lifts what a rule flagged. The parts combine as independent evidence: 1 − (1 − rules)(1 − anomaly).

Trained without labels (a chain has few, late ones); the generator's ground truth and HQ's reviews
measure it (precision@k), they do not fit it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from aiwebpos_models.bundle import load_bundle, save_bundle
from aiwebpos_models.fraud.rules import (
    SHIFT_RULES,
    SHIFT_THRESHOLDS,
    TRANSACTION_RULES,
    TRANSACTION_THRESHOLDS,
    Rule,
    apply_rules,
)
from aiwebpos_models.fraud.shifts import SHIFT_FEATURES, shift_features
from aiwebpos_models.fraud.transactions import TRANSACTION_FEATURES

if TYPE_CHECKING:  # imported where a forest is fitted: a store node that only scores loads it with its model
    from sklearn.ensemble import IsolationForest

MODEL_KIND = "fraud"
_PERCENTILES = np.linspace(0.0, 1.0, 201)
_REASONS_FROM_ANOMALY = 2


@dataclass
class Part:
    """One scorer (transactions or shifts): its forest, how to read its anomaly, its rules."""

    features: tuple[str, ...]
    rules: tuple[Rule, ...]
    thresholds: dict[str, float]
    forest: "IsolationForest | None" = None
    quantiles: list[float] = field(default_factory=list)  # anomaly values at _PERCENTILES
    medians: list[float] = field(default_factory=list)
    spreads: list[float] = field(default_factory=list)

    def __getstate__(self) -> dict[str, Any]:
        # Rules are code (lambdas, which do not pickle): a pickled Part names its rules, and the process
        # that unpickles it (a store's scoring worker) takes them from its own copy of this module.
        return {**self.__dict__, "rules": tuple(rule.name for rule in self.rules)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        every = TRANSACTION_RULES if tuple(state["features"]) == TRANSACTION_FEATURES else SHIFT_RULES
        known = {rule.name: rule for rule in every}
        self.__dict__.update({**state, "rules": tuple(known[name] for name in state["rules"])})

    def matrix(self, frame: pl.DataFrame) -> npt.NDArray[np.float64]:
        # log1p: amounts and minutes are long-tailed; the forest splits on ranks, but evenly spread is better.
        x = frame.select(self.features).to_numpy().astype(np.float64)
        logged: npt.NDArray[np.float64] = np.sign(x) * np.log1p(np.abs(x))
        return logged

    def fit(self, frame: pl.DataFrame, seed: int, trees: int) -> None:
        x = self.matrix(frame)
        from sklearn.ensemble import IsolationForest

        self.forest = IsolationForest(n_estimators=trees, random_state=seed, n_jobs=1).fit(x)
        anomaly = -self.forest.score_samples(x)
        self.quantiles = np.quantile(anomaly, _PERCENTILES).tolist()
        self.medians = np.median(x, axis=0).tolist()
        q75, q25 = np.percentile(x, [75, 25], axis=0)
        self.spreads = np.maximum(q75 - q25, 1e-3).tolist()

    def score(self, frame: pl.DataFrame, anomaly_floor: float, anomaly_weight: float) -> pl.DataFrame:
        """`rule_score`, `anomaly` (percentile), `score` and `reasons` for each row of `frame`."""
        if self.forest is None:
            raise RuntimeError("the fraud model is not trained")
        rows = frame.select(self.features).to_dicts()
        rule_scores, reasons = apply_rules(rows, self.rules, self.thresholds)
        if not rows:
            percentile = np.zeros(0)
            x = np.zeros((0, len(self.features)))
        else:
            x = self.matrix(frame)
            percentile = np.interp(-self.forest.score_samples(x), self.quantiles, _PERCENTILES)
        tail = anomaly_weight * np.clip((percentile - anomaly_floor) / (1.0 - anomaly_floor), 0.0, 1.0)
        combined = 1.0 - (1.0 - np.asarray(rule_scores, dtype=np.float64)) * (1.0 - tail)
        for i in np.flatnonzero(tail > 0):
            reasons[i] = reasons[i] + self._unusual(x[i])
        return frame.with_columns(
            pl.Series("rule_score", rule_scores, dtype=pl.Float64),
            pl.Series("anomaly", percentile, dtype=pl.Float64),
            pl.Series("score", combined, dtype=pl.Float64),
            pl.Series("reasons", reasons, dtype=pl.List(pl.String)),
        )

    def _unusual(self, x: npt.NDArray[np.float64]) -> list[str]:
        z = (x - np.asarray(self.medians)) / np.asarray(self.spreads)
        worst = np.argsort(-np.abs(z))[:_REASONS_FROM_ANOMALY]
        return [f"unusual {self.features[i].replace('_', ' ')}" for i in worst if abs(z[i]) >= 1.5]

    def manifest(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "thresholds": self.thresholds,
            "quantiles": self.quantiles,
            "medians": self.medians,
            "spreads": self.spreads,
        }


@dataclass
class FraudModel:
    anomaly_floor: float = 0.95
    anomaly_weight: float = 0.35
    trees: int = 200
    seed: int = 0
    transactions: Part = field(
        default_factory=lambda: Part(TRANSACTION_FEATURES, TRANSACTION_RULES, dict(TRANSACTION_THRESHOLDS))
    )
    shifts: Part = field(default_factory=lambda: Part(SHIFT_FEATURES, SHIFT_RULES, dict(SHIFT_THRESHOLDS)))

    def params(self) -> dict[str, Any]:
        """What a training run logs: the settings and every rule threshold."""
        return {
            "anomaly_floor": self.anomaly_floor,
            "anomaly_weight": self.anomaly_weight,
            "trees": self.trees,
            "seed": self.seed,
            **{f"tx_{k}": v for k, v in self.transactions.thresholds.items()},
            **{f"shift_{k}": v for k, v in self.shifts.thresholds.items()},
        }

    def fit(self, transactions: pl.DataFrame, shifts: pl.DataFrame) -> "FraudModel":
        """Train on `transaction_features` rows and the `shifts` view (closed shifts) of the same period."""
        if transactions.height < 10:
            raise ValueError(f"too few transactions to train on ({transactions.height}); need at least 10")
        self.transactions.fit(transactions, self.seed, self.trees)
        features = shift_features(shifts, self.score_transactions(transactions))
        if features.height < 5:
            raise ValueError(f"too few closed shifts to train on ({features.height}); need at least 5")
        self.shifts.fit(features, self.seed, self.trees)
        return self

    def score_transactions(self, transactions: pl.DataFrame) -> pl.DataFrame:
        return self.transactions.score(transactions, self.anomaly_floor, self.anomaly_weight)

    def score_shifts(self, shifts: pl.DataFrame, scored_transactions: pl.DataFrame) -> pl.DataFrame:
        """Score closed shifts; `scored_transactions` is `score_transactions` of their transactions."""
        return self.shifts.score(
            shift_features(shifts, scored_transactions), self.anomaly_floor, self.anomaly_weight
        )

    def save(self, folder: Path, metadata: Mapping[str, Any] | None = None) -> Path:
        manifest = {
            "kind": MODEL_KIND,
            "anomaly_floor": self.anomaly_floor,
            "anomaly_weight": self.anomaly_weight,
            "trees": self.trees,
            "seed": self.seed,
            "transactions": self.transactions.manifest(),
            "shifts": self.shifts.manifest(),
            "metadata": dict(metadata or {}),
        }
        forests = {"transactions": self.transactions.forest, "shifts": self.shifts.forest}
        return save_bundle(folder, forests, manifest)

    @classmethod
    def load(cls, folder: Path) -> "FraudModel":
        estimators, manifest = load_bundle(folder)
        if manifest.get("kind") != MODEL_KIND:
            raise ValueError(f"{folder} holds a {manifest.get('kind')!r} model, not a fraud model")
        model = cls(
            anomaly_floor=manifest["anomaly_floor"],
            anomaly_weight=manifest["anomaly_weight"],
            trees=manifest["trees"],
            seed=manifest["seed"],
        )
        for name, part in (("transactions", model.transactions), ("shifts", model.shifts)):
            saved = manifest[name]
            if tuple(saved["features"]) != part.features:
                raise ValueError(f"{folder}: its {name} features differ from this code's; retrain it")
            part.forest = estimators[name]
            part.thresholds = dict(saved["thresholds"])
            part.quantiles, part.medians, part.spreads = (
                saved["quantiles"],
                saved["medians"],
                saved["spreads"],
            )
        return model
