"""How well elasticities predict what a price change does: a holdout backtest of promotion days.

Elasticities are estimated on the history before `origin`; on every promotion day after it, the units
a series sold are predicted as its usual daily units at the regular price (the mean of its last 28
non-promotion days before the origin, by weekday share) times `units_ratio(price, regular, e)`. The same
days predicted without any price effect are the baseline. WAPE of each on the promotion days: a pricing
model is only worth proposing prices with when it beats the baseline.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from aiwebpos_models.metrics import wape
from aiwebpos_models.pricing.elasticity import sku_elasticities

SERIES = ("store_id", "sku")


@dataclass(frozen=True)
class PromoBacktest:
    wape: float  # with elasticities
    baseline_wape: float  # no price effect
    promo_days: int
    series: int


def promo_backtest(demand: pl.DataFrame, origin: date, lookback_days: int = 28) -> PromoBacktest:
    """Score elasticities fitted before `origin` on the promotion days from `origin` on."""
    before = demand.filter(pl.col("date") < origin)
    after = demand.filter((pl.col("date") >= origin) & pl.col("on_promo"))
    elasticities = sku_elasticities(before).select("sku", "elasticity")
    usual = (
        before.filter((pl.col("date") >= origin - timedelta(days=lookback_days)) & ~pl.col("on_promo"))
        .group_by(SERIES)
        .agg(pl.col("quantity").mean().alias("usual"))
    )
    scored = (
        after.join(usual, on=list(SERIES), how="inner")
        .join(elasticities, on="sku", how="inner")
        .with_columns(
            (
                pl.col("usual")
                * (pl.col("price_cents") / pl.max_horizontal(pl.col("regular_price_cents"), 1)).pow(
                    pl.col("elasticity")
                )
            ).alias("predicted")
        )
    )
    if scored.is_empty():
        return PromoBacktest(float("nan"), float("nan"), 0, 0)
    actual = scored.get_column("quantity").to_numpy()
    return PromoBacktest(
        wape=wape(actual, scored.get_column("predicted").to_numpy()),
        baseline_wape=wape(actual, scored.get_column("usual").to_numpy()),
        promo_days=scored.height,
        series=scored.select(SERIES).unique().height,
    )
