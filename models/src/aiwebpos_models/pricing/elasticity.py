"""Price elasticity of demand, per category and per SKU, from daily demand.

The model is constant-elasticity: E[units] = exp(series level + calendar) × (price / regular)^e, fitted
as a Poisson regression (log link) with one fixed level per store × SKU and controls for the weekday,
the month-end payday, eves and public holidays. Poisson rather than least squares on log1p(units):
log1p shrinks the slope of slow movers (a SKU selling one a day would show half its true elasticity)
and Poisson takes the many zero days as they are. The standard error is quasi-Poisson (the Fisher
information scaled by the Pearson dispersion, since retail counts are over-dispersed).

The variation used is the price relative to the regular price, i.e. promotions and markdowns; a SKU's
own estimate needs enough days off its regular price, else it takes its category's. Own estimates are
shrunk toward the category by precision (empirical Bayes): a noisy one moves most.
"""

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.linear_model import PoissonRegressor

from aiwebpos_models import calendar

Z95 = 1.959963984540054
MIN_PRICE_DAYS = 8  # days off the regular price a SKU needs before its own estimate is trusted
OFF_REGULAR = 0.97  # "off the regular price": at least 3 % under it
DEFAULT_SPREAD = 0.5  # between-SKU spread of elasticities in a category when too few SKUs tell it

ESTIMATE_SCHEMA = {
    "elasticity": pl.Float64(),
    "std_error": pl.Float64(),
    "lower": pl.Float64(),
    "upper": pl.Float64(),
    "observations": pl.Int64(),
    "price_days": pl.Int64(),
}


@dataclass(frozen=True)
class Estimate:
    elasticity: float
    std_error: float
    observations: int
    price_days: int

    def row(self) -> dict[str, float | int]:
        return {
            "elasticity": self.elasticity,
            "std_error": self.std_error,
            "lower": self.elasticity - Z95 * self.std_error,
            "upper": self.elasticity + Z95 * self.std_error,
            "observations": self.observations,
            "price_days": self.price_days,
        }


def _calendar_controls(days: list[date]) -> np.ndarray[tuple[int, int], np.dtype[np.float64]]:
    """Weekday dummies (Monday is the base), log payday lift, log eve lift, public holiday."""
    rows = []
    for day in days:
        weekday = [float(day.weekday() == w) for w in range(1, 7)]
        holiday = float(calendar.holiday_name(day) is not None)
        rows.append(
            [*weekday, math.log(calendar.payday_factor(day)), math.log(calendar.eve_factor(day)), holiday]
        )
    return np.asarray(rows, dtype=np.float64)


def _fit(rows: pl.DataFrame) -> Estimate | None:
    """Poisson fixed-effects fit of `rows` (store_id, sku, date, quantity, price_cents,
    regular_price_cents); None when there is nothing to learn from."""
    rows = rows.filter(
        (pl.col("price_cents") > 0) & (pl.col("regular_price_cents") > 0) & (pl.col("quantity") >= 0)
    )
    # A series that never sold in the window has an infinite negative level: no information, drop it.
    rows = rows.filter(pl.col("quantity").sum().over("store_id", "sku") > 0)
    if rows.height < 10:
        return None
    series = rows.select(
        pl.concat_str("store_id", "sku", separator="\x1f").cast(pl.Categorical).to_physical()
    )
    codes = series.to_series().to_numpy().astype(np.int64)
    log_relative = np.log(
        (rows["price_cents"].cast(pl.Float64) / rows["regular_price_cents"].cast(pl.Float64)).to_numpy()
    )
    price_days = int((log_relative <= math.log(OFF_REGULAR)).sum())
    if price_days == 0 or np.std(log_relative) == 0:
        return None
    levels = sparse.csr_matrix((np.ones(rows.height), (np.arange(rows.height), codes)))
    controls = _calendar_controls(rows["date"].to_list())
    design = sparse.hstack([sparse.csr_matrix(log_relative[:, None]), controls, levels], format="csr")
    y = rows["quantity"].cast(pl.Float64).to_numpy()
    model = PoissonRegressor(alpha=1e-8, fit_intercept=False, solver="newton-cholesky", max_iter=300)
    model.fit(design, y)
    mu = model.predict(design)
    information = (design.T @ design.multiply(mu[:, None])).toarray()
    dispersion = max(float(np.sum((y - mu) ** 2 / mu)) / max(rows.height - design.shape[1], 1), 1.0)
    unit = np.zeros(design.shape[1])
    unit[0] = 1.0
    variance = dispersion * float(np.linalg.lstsq(information, unit, rcond=None)[0][0])
    return Estimate(float(model.coef_[0]), math.sqrt(max(variance, 0.0)), rows.height, price_days)


def category_elasticities(demand: pl.DataFrame) -> pl.DataFrame:
    """One pooled estimate per category: category, elasticity, std_error, lower, upper (95 %),
    observations, price_days. Categories without price variation are left out."""
    rows = []
    for (category,), part in demand.group_by("category", maintain_order=True):
        estimate = _fit(part)
        if estimate is not None:
            rows.append({"category": category, **estimate.row()})
    return pl.DataFrame(rows, schema={"category": pl.String(), **ESTIMATE_SCHEMA}).sort("category")


def _between_sku_variance(own: pl.DataFrame) -> float:
    """Method-of-moments spread of true SKU elasticities around their mean (τ²), floored."""
    if own.height < 3:
        return DEFAULT_SPREAD**2
    estimates, errors = own["elasticity"].to_numpy(), own["std_error"].to_numpy()
    excess = float(np.var(estimates, ddof=1)) - float(np.mean(errors**2))
    return max(excess, 0.1**2)


def sku_elasticities(
    demand: pl.DataFrame, categories: pl.DataFrame | None = None, min_price_days: int = MIN_PRICE_DAYS
) -> pl.DataFrame:
    """One estimate per SKU: sku, category, elasticity, std_error, lower, upper, observations,
    price_days, source ("shrunk": own estimate pulled toward the category; "category": too little
    price variation, the category's with the between-SKU spread added to its error), own_elasticity.
    SKUs of a category with no estimate at all are left out."""
    categories = category_elasticities(demand) if categories is None else categories
    own_rows = []
    for (sku, category), part in demand.group_by("sku", "category", maintain_order=True):
        estimate = _fit(part)
        if estimate is not None and estimate.price_days >= min_price_days:
            own_rows.append({"sku": sku, "category": category, **estimate.row()})
        else:
            own_rows.append({"sku": sku, "category": category, "observations": part.height, "price_days": 0})
    own = pl.DataFrame(own_rows, schema={"sku": pl.String(), "category": pl.String(), **ESTIMATE_SCHEMA})
    result = []
    for row in own.join(categories, on="category", how="inner", suffix="_category").iter_rows(named=True):
        peers = own.filter((pl.col("category") == row["category"]) & pl.col("elasticity").is_not_null())
        spread = _between_sku_variance(peers)
        prior, prior_se = row["elasticity_category"], row["std_error_category"]
        if row["elasticity"] is None:
            estimate = Estimate(
                prior, math.sqrt(prior_se**2 + spread), row["observations"], row["price_days"]
            )
            source = "category"
        else:
            own_precision, prior_precision = 1 / max(row["std_error"], 1e-9) ** 2, 1 / spread
            blended = (row["elasticity"] * own_precision + prior * prior_precision) / (
                own_precision + prior_precision
            )
            se = math.sqrt(1 / (own_precision + prior_precision))
            estimate = Estimate(blended, se, row["observations"], row["price_days"])
            source = "shrunk"
        result.append(
            {
                "sku": row["sku"],
                "category": row["category"],
                **estimate.row(),
                "source": source,
                "own_elasticity": row["elasticity"],
            }
        )
    schema = {
        "sku": pl.String(),
        "category": pl.String(),
        **ESTIMATE_SCHEMA,
        "source": pl.String(),
        "own_elasticity": pl.Float64(),
    }
    return pl.DataFrame(result, schema=schema).sort("sku")
