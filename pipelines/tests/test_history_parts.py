"""The generator's parts, pure and seeded: catalog, prices, stores, demand, baskets, fraudsters."""

from datetime import date, timedelta

import numpy as np
import pytest

from aiwebpos_models.calendar import trading_day
from aiwebpos_pipelines.history.catalog import build_catalog
from aiwebpos_pipelines.history.categories import CATEGORIES
from aiwebpos_pipelines.history.demand import DemandModel, basket_sizes, purchase_lines
from aiwebpos_pipelines.history.fraud import PATTERNS, choose_fraudsters
from aiwebpos_pipelines.history.generate import HistoryError, check_arguments
from aiwebpos_pipelines.history.prices import build_price_plan
from aiwebpos_pipelines.history.shifts import open_tills
from aiwebpos_pipelines.history.stores import build_stores

START = date(2025, 1, 1)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_a_catalog_covers_every_category_and_vat_class_with_shop_prices() -> None:
    catalog = build_catalog(_rng(), 600, START, 365)
    products = catalog.products
    assert len(products) == 600
    assert len({p.sku for p in products}) == len({p.name for p in products}) == 600
    assert {p.category for p in products} == set(range(len(CATEGORIES)))
    assert {p.vat_class for p in products} == {"standard", "reduced", "zero", "exempt"}
    assert all(p.price_cents % 50 == 49 for p in products if not p.fixed_price), "M x.49 or M x.99"
    assert all(0 < p.cost_cents < p.price_cents for p in products)
    assert all(
        p.unit == "kg" for p in products if CATEGORIES[p.category].name == "Meat" and "(per kg)" in p.name
    )
    assert all((p.lead_time_days > 0) == CATEGORIES[p.category].stocked for p in products)
    assert any(p.introduced > 0 for p in products) and any(p.discontinued is not None for p in products)
    weights = sorted((p.weight for p in products), reverse=True)
    assert sum(weights[:60]) > 0.4 * sum(weights), "a few SKUs sell most of the units"


def test_a_tiny_catalog_keeps_the_staples() -> None:
    names = {CATEGORIES[p.category].name for p in build_catalog(_rng(), 6, START, 30).products}
    assert names == {
        "Maize meal",
        "Bread & bakery",
        "Dairy & eggs",
        "Paraffin & fuel",
        "Airtime & electricity",
        "Meat",
    }


def test_promotions_cut_prices_for_one_or_two_weeks_and_fixed_prices_never_move() -> None:
    catalog = build_catalog(_rng(), 300, START, 365)
    plan = build_price_plan(_rng(1), catalog, 365)
    assert len(plan.promotions) > 100 and plan.price_changes > 50
    for promotion in plan.promotions:
        assert 7 <= promotion.last_day - promotion.first_day + 1 <= 14 or promotion.last_day == 364
        assert 0.05 < 1 - promotion.promo_cents / promotion.regular_cents < 0.35
    fixed = [i for i, p in enumerate(catalog.products) if p.fixed_price]
    assert fixed and (plan.price[:, fixed] == plan.price[0, fixed]).all()
    assert (plan.price <= plan.regular).all()


def test_expected_demand_follows_the_calendar_and_the_price_elasticity() -> None:
    catalog = build_catalog(_rng(), 50, START, 365)
    model = DemandModel.of(catalog, 365)
    ones = np.ones(len(catalog))
    saturday, tuesday = date(2025, 3, 15), date(2025, 3, 11)
    at = {
        day: model.expected(day, (day - START).days, ones, ones, 100.0, 1000, 1.0)
        for day in (saturday, tuesday)
    }
    ratio = at[saturday].sum() / at[tuesday].sum()
    assert ratio == pytest.approx(trading_day(saturday).factor / trading_day(tuesday).factor, rel=0.01)
    plan = build_price_plan(_rng(1), catalog, 365)
    index = {p.sku: i for i, p in enumerate(catalog.products)}
    promotion = next(p for p in plan.promotions if model.sold(p.first_day)[index[p.sku]])
    sku = index[promotion.sku]
    factor = plan.demand_factor(promotion.first_day, model.base_price, model.elasticity)
    base = catalog.products[sku].price_cents
    assert factor[sku] == pytest.approx((promotion.promo_cents / base) ** model.elasticity[sku])
    day = START + timedelta(days=promotion.first_day)
    on_promotion = model.expected(day, promotion.first_day, factor, ones, 100.0, 1000, 1.0)
    regular = model.expected(day, promotion.first_day, ones, ones, 100.0, 1000, 1.0)
    assert on_promotion[sku] / regular[sku] == pytest.approx(factor[sku]) and factor[sku] > 1


def test_a_days_units_become_basket_lines_that_add_up() -> None:
    catalog = build_catalog(_rng(), 80, START, 365)
    model = DemandModel.of(catalog, 365)
    counts = _rng(2).poisson(5, len(catalog))
    skus, milli = purchase_lines(_rng(3), counts, model)
    each = ~model.weighed[skus]
    assert (
        np.bincount(skus[each], weights=milli[each], minlength=len(catalog))[~model.weighed].tolist()
        == (counts[~model.weighed] * 1000).tolist()
    )
    assert (np.bincount(skus[~each], minlength=len(catalog)) == np.where(model.weighed, counts, 0)).all()
    assert (milli[~each] % 5 == 0).all() and (milli[~each] >= 100).all()
    assert sum(basket_sizes(_rng(4), len(skus), date(2025, 3, 12))) == len(skus)


def test_stores_have_their_towns_tills_and_staff() -> None:
    stores = build_stores(_rng(), 4, START, 365)
    assert [s.store_id for s in stores] == ["MSU-01", "TY-02", "MPT-03", "MFT-04"]
    assert all(2 <= len(s.terminals) <= 4 and len(s.cashiers) > 2 * len(s.terminals) for s in stores)
    usernames = [c.username for s in stores for c in s.cashiers] + [s.manager for s in stores]
    assert len(set(usernames)) == len(usernames)
    assert [s.opened_on < START for s in stores] == [True, True, True, False], "the newest store opens later"
    assert all(abs(s.tender_mix.sum() - 1) < 1e-9 for s in stores)


def test_a_history_can_start_at_a_later_store_number() -> None:
    stores = build_stores(_rng(), 3, START, 365, first=3)
    assert [s.store_id for s in stores] == ["MPT-03", "MFT-04", "LRB-05"]
    assert [s.town for s in stores] == ["Maputsoe", "Mafeteng", "Leribe"]
    assert stores[-1].opened_on > START


def test_every_shift_of_a_day_has_its_own_cashier() -> None:
    store = build_stores(_rng(5), 1, START, 365)[0]
    saturday = trading_day(date(2025, 3, 29))
    tills = open_tills(_rng(6), store, saturday, 0, 9 * 3_600_000)
    shifts = [shift for till in tills for shift in till.shifts]
    assert len({shift.cashier for shift in shifts}) == len(shifts) >= 2
    assert tills[0].terminal == "T1" and len(tills[0].shifts) == 2


def test_a_few_cashiers_are_dishonest_with_one_or_two_patterns() -> None:
    stores = build_stores(_rng(), 3, START, 365)
    fraudsters = choose_fraudsters(_rng(7), stores, 365)
    staff = sum(len(s.cashiers) for s in stores)
    assert 1 <= len(fraudsters) <= staff // 5
    assert all(1 <= len(f.patterns) <= 2 and set(f.patterns) <= set(PATTERNS) for f in fraudsters)
    rng = _rng(8)
    active = [f.plan(rng, f.first_day) for f in fraudsters for _ in range(20)]
    assert any(active) and not all(active), "active on some of their shifts"


@pytest.mark.parametrize(
    ("stores", "days", "skus", "first", "words"),
    [
        (0, 10, 50, 1, "stores must be"),
        (2, 0, 50, 1, "days must be"),
        (2, 10, 1, 1, "skus must be"),
        (2, 10, 50, 99, "first_store must be from 1 to 98"),
    ],
)
def test_impossible_histories_are_refused(stores: int, days: int, skus: int, first: int, words: str) -> None:
    with pytest.raises(HistoryError, match=words):
        check_arguments(stores, days, skus, first)
