"""Accuracy metrics as pure functions over arrays (forecasting and fraud).

- WAPE: Σ|y − ŷ| / Σ|y| over every store × SKU × day of a backtest — what a buyer reads as "the
  forecast is off by 18 % of what sold". Undefined (NaN) when nothing sold at all.
- RMSSE (the M5 competition's measure): per series, the root of the mean squared error over the
  horizon, scaled by the mean squared one-step naive error of that series' training history, so series
  of any volume compare; averaged over series, weighted by each series' volume when weights are given.
  A series whose history never changed (scale 0) is left out: no forecast can be compared with it.
- precision@k: of the k highest scores, the share that are true positives (the fraud a reviewer with
  time for k cases would catch).
"""

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Floats = npt.ArrayLike


def wape(actual: Floats, forecast: Floats) -> float:
    y = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    if y.shape != f.shape:
        raise ValueError(f"actual and forecast differ in shape: {y.shape} vs {f.shape}")
    denominator = np.abs(y).sum()
    if denominator == 0:
        return float("nan")
    return float(np.abs(y - f).sum() / denominator)


def naive_scale(history: Floats) -> float:
    """Mean squared one-step change of a series' history (the RMSSE denominator); NaN if too short."""
    h = np.asarray(history, dtype=float)
    if h.size < 2:
        return float("nan")
    return float(np.mean(np.diff(h) ** 2))


def rmsse_one(actual: Floats, forecast: Floats, history: Floats) -> float:
    y = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    scale = naive_scale(history)
    if not scale > 0 or y.size == 0:
        return float("nan")
    return float(np.sqrt(np.mean((y - f) ** 2) / scale))


def rmsse(
    actuals: Sequence[Floats],
    forecasts: Sequence[Floats],
    histories: Sequence[Floats],
    weights: Sequence[float] | None = None,
) -> float:
    """Mean RMSSE over series (weighted when `weights` are given); series with no scale are skipped."""
    scores = np.array(
        [rmsse_one(a, f, h) for a, f, h in zip(actuals, forecasts, histories, strict=True)], dtype=float
    )
    w = np.ones_like(scores) if weights is None else np.asarray(weights, dtype=float)
    usable = ~np.isnan(scores) & (w > 0)
    if not usable.any():
        return float("nan")
    return float(np.average(scores[usable], weights=w[usable]))


def precision_at_k(scores: Floats, labels: Floats, k: int) -> float:
    """Share of true labels among the k highest scores (ties broken by position, stable)."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    if s.shape != y.shape:
        raise ValueError(f"scores and labels differ in shape: {s.shape} vs {y.shape}")
    if k < 1:
        raise ValueError("k must be at least 1")
    k = min(k, s.size)
    if k == 0:
        return float("nan")
    top = np.argsort(-s, kind="stable")[:k]
    return float(y[top].mean())
