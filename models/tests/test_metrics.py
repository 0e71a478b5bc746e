"""Accuracy metrics: table tests of known values and properties that must hold for any input."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_models.metrics import naive_scale, precision_at_k, rmsse, rmsse_one, wape

# Units sold in a day: zero or a realistic amount (0.001 kg upwards), never a subnormal float.
quantities = st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=1e4))
counts = st.lists(quantities, min_size=1, max_size=40)


@pytest.mark.parametrize(
    ("actual", "forecast", "expected"),
    [
        ([10, 0, 5], [10, 0, 5], 0.0),
        ([10, 10], [12, 8], 0.2),  # over and under both count: 4 / 20
        ([4, 0], [0, 4], 2.0),  # a forecast can be off by more than what sold
        ([1, 1, 1, 1], [0, 0, 0, 0], 1.0),
    ],
)
def test_wape_is_total_absolute_error_over_total_sold(
    actual: list[float], forecast: list[float], expected: float
) -> None:
    assert wape(actual, forecast) == pytest.approx(expected)


def test_wape_is_undefined_when_nothing_sold() -> None:
    assert math.isnan(wape([0, 0], [1, 2]))


def test_wape_refuses_arrays_of_different_shapes() -> None:
    with pytest.raises(ValueError, match="differ in shape"):
        wape([1, 2, 3], [1, 2])


@pytest.mark.parametrize(
    ("history", "expected"),
    [([1, 3], 4.0), ([2, 2, 2], 0.0), ([0, 1, 0, 1], 1.0), ([5], math.nan), ([], math.nan)],
)
def test_naive_scale_is_mean_squared_one_step_change(history: list[float], expected: float) -> None:
    result = naive_scale(history)
    assert (math.isnan(result) and math.isnan(expected)) or result == pytest.approx(expected)


@pytest.mark.parametrize(
    ("actual", "forecast", "history", "expected"),
    [
        ([3, 3], [1, 1], [0, 2, 0, 2], 1.0),  # RMSE 2 over a naive error of 2
        ([3, 3], [3, 3], [0, 2], 0.0),
        ([4], [0], [1, 2], 4.0),
        ([4], [0], [2, 2, 2], math.nan),  # a flat history gives no scale
    ],
)
def test_rmsse_one_scales_rmse_by_the_naive_error_of_the_history(
    actual: list[float], forecast: list[float], history: list[float], expected: float
) -> None:
    result = rmsse_one(actual, forecast, history)
    assert (math.isnan(result) and math.isnan(expected)) or result == pytest.approx(expected)


def test_rmsse_weights_series_and_skips_those_without_scale() -> None:
    actuals, forecasts = [[3, 3], [4], [9]], [[1, 1], [0], [0]]
    histories = [[0, 2, 0, 2], [1, 2], [5, 5]]  # scores 1, 4, and none (flat history)
    assert rmsse(actuals, forecasts, histories) == pytest.approx(2.5)
    assert rmsse(actuals, forecasts, histories, weights=[3, 1, 100]) == pytest.approx(1.75)
    assert math.isnan(rmsse([[1]], [[1]], [[2, 2]]))


@pytest.mark.parametrize(
    ("scores", "labels", "k", "expected"),
    [
        ([0.9, 0.1, 0.8, 0.2], [1, 0, 0, 1], 2, 0.5),
        ([0.9, 0.1, 0.8, 0.2], [1, 0, 1, 0], 2, 1.0),
        ([0.5, 0.5, 0.5], [0, 1, 1], 1, 0.0),  # ties: the first position wins
        ([0.3, 0.2], [1, 0], 10, 0.5),  # k beyond the list takes them all
    ],
)
def test_precision_at_k_is_share_of_true_labels_among_the_top_k(
    scores: list[float], labels: list[int], k: int, expected: float
) -> None:
    assert precision_at_k(scores, labels, k) == pytest.approx(expected)


def test_precision_at_k_refuses_k_below_one() -> None:
    with pytest.raises(ValueError, match="k must be at least 1"):
        precision_at_k([0.1], [1], 0)


@given(counts, st.floats(min_value=0.01, max_value=100))
def test_wape_does_not_depend_on_the_unit_of_measure(actual: list[float], factor: float) -> None:
    y = np.asarray(actual)
    f = y * 1.3 + 1
    if y.sum() == 0:
        return
    assert wape(y * factor, f * factor) == pytest.approx(wape(y, f), rel=1e-9)


@given(counts)
def test_a_perfect_forecast_has_zero_error(actual: list[float]) -> None:
    history = [*actual, 1e5]  # never flat
    assert rmsse_one(actual, actual, history) == 0.0
    assert sum(actual) == 0 or wape(actual, actual) == 0.0


@given(
    st.lists(
        st.tuples(counts, st.floats(min_value=0.1, max_value=50)),
        min_size=1,
        max_size=6,
    )
)
def test_weighted_rmsse_lies_between_its_series_scores(series: list[tuple[list[float], float]]) -> None:
    actuals = [values for values, _ in series]
    forecasts = [[v + 1 for v in values] for values in actuals]
    histories = [[0.0, 3.0, 1.0] for _ in series]
    weights = [w for _, w in series]
    singles = [rmsse_one(a, f, h) for a, f, h in zip(actuals, forecasts, histories, strict=True)]
    result = rmsse(actuals, forecasts, histories, weights)
    assert min(singles) - 1e-9 <= result <= max(singles) + 1e-9


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=50), st.integers(1, 60))
def test_precision_at_k_is_a_share(pairs: list[tuple[float, bool]], k: int) -> None:
    scores, labels = zip(*pairs, strict=True)
    result = precision_at_k(list(scores), list(labels), k)
    assert 0.0 <= result <= 1.0
    if all(labels):
        assert result == 1.0
