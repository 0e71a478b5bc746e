"""The back room of a store-day: what happens before opening and after closing (pure but for the stock
it moves and the `stock.moved` events it emits).

Before opening: the opening count on the store's first day in the history (or the opening stock of a
store that opens during it), deliveries of earlier orders (one delivery note per supplier category),
new products' first stock, discontinued products sent back. After closing: shrinkage nobody records,
expired perishables written off, the evening's cycle counts, and the orders for the days ahead.
"""

import itertools
from datetime import date

import numpy as np

from aiwebpos_pipelines.history.categories import CATEGORIES
from aiwebpos_pipelines.history.moments import SECOND
from aiwebpos_pipelines.history.state import StoreRun


def morning(
    run: StoreRun, index: int, day: date, at: int, sold: np.ndarray, planner_units: np.ndarray
) -> None:
    """Before opening: the opening count (or opening stock), deliveries, new products, products dropped."""
    state, model = run.state, run.model
    stock, spec = state.stock, state.spec
    moments = itertools.count(at, 100 if not run.started else SECOND)
    stamp = f"{spec.store_id}-{day:%Y%m%d}"
    if not run.started:
        run.started = True
        level = stock.opening_level(planner_units, model.dispersion).tolist()
        opening = day == spec.opened_on
        for sku in np.flatnonzero(stock.stocked & sold).tolist():
            if opening:
                state.emit(
                    next(moments), stock.receive(sku, level[sku], f"DN-{stamp}-OPEN", "opening stock"), None
                )
            else:
                stock.shelf[sku] = level[sku]
                state.emit(next(moments), stock.count(sku, f"CNT-{stamp}", "opening count"), None)
        return
    new = np.flatnonzero((model.introduced == index) & stock.stocked).tolist()
    if new:
        level = stock.opening_level(planner_units, model.dispersion).tolist()
        for sku in new:
            state.emit(next(moments), stock.receive(sku, level[sku], f"DN-{stamp}-NEW", "new product"), None)
    notes: dict[int, str] = {}
    for sku, milli in stock.arrivals(index):
        if not sold[sku]:
            continue  # a late delivery of a product no longer sold: refused at the door
        category = state.catalog.products[sku].category
        if category not in notes:
            state.delivery_notes += 1
            notes[category] = f"DN-{spec.store_id}-{state.delivery_notes:06d}"
        state.emit(next(moments), stock.receive(sku, milli, notes[category]), None)
    for sku in np.flatnonzero((model.discontinued == index) & stock.stocked).tolist():
        if stock.book[sku] > 0 or stock.shelf[sku] > 0:
            moved = stock.write_off(sku, stock.book[sku], "discontinued: returned to supplier", clear=True)
            state.emit(next(moments), moved, None)


def evening(
    run: StoreRun,
    index: int,
    day: date,
    at: int,
    sold: np.ndarray,
    lam: np.ndarray,
    planner_units: np.ndarray,
) -> None:
    """After closing: shrinkage, expired stock written off, cycle counts, and tomorrow's orders."""
    state, model, rng = run.state, run.model, run.state.rng
    stock = state.stock
    stock.shrink(rng, lam)
    moments = itertools.count(at, 5 * SECOND)
    perishable = np.array([CATEGORIES[c].spoilage for c in model.category])
    checked = np.flatnonzero(stock.stocked & sold & (perishable > 0) & (rng.random(model.skus) < 0.3))
    for sku in checked.tolist():
        have = min(stock.book[sku], stock.shelf[sku])
        rate = min(0.5, float(perishable[sku]) / 0.3)
        if model.weighed[sku]:
            milli = int(have * rate * rng.uniform(0.5, 1.5)) // 10 * 10
        else:
            milli = int(rng.binomial(max(0, have) // 1000, rate)) * 1000
        milli = min(milli, have)
        if milli > 0:
            state.emit(next(moments), stock.write_off(sku, milli, "expired"), None)
    sheet = f"CNT-{state.spec.store_id}-{day:%Y%m%d}"
    for sku in stock.to_count(sold):
        state.emit(next(moments), stock.count(sku, sheet), None)
    orderable = (model.introduced <= index + 1) & (model.discontinued > index + stock.lead + 14)
    stock.order(rng, index, planner_units, model.dispersion, orderable)
    stock.note_stockouts(sold)
