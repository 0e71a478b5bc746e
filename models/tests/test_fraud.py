"""The fraud model on a small synthetic store: honest cashiers' noise, and a few planted frauds."""

import pickle
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import skops.io as sio
from sklearn.preprocessing import FunctionTransformer

from aiwebpos_models.bundle import BundleError, save_bundle
from aiwebpos_models.fraud import FraudModel, transaction_features
from aiwebpos_models.metrics import precision_at_k

# Tuesday 3 to Monday 16 November 2026, 10:00–17:00 local (08:00–15:00 UTC): inside trading hours.
FIRST_DAY = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
CASHIERS = ("thabo", "palesa", "mpho", "lineo")


class Store:
    """Builds the lakehouse frames (`sales`, `sale_lines`, `payments`, `returns`, `shifts`) row by row."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = np.random.default_rng(seed)
        self.sales: list[dict[str, object]] = []
        self.lines: list[dict[str, object]] = []
        self.payments: list[dict[str, object]] = []
        self.returns: list[dict[str, object]] = []
        self.shifts: list[dict[str, object]] = []
        self.fraud: set[str] = set()

    def sale(self, shift: str, cashier: str, at: datetime, **kind: float) -> str:
        n = len(self.sales) + 1
        receipt = f"MSU-01-T1-{n:06d}"
        lines = int(kind.get("lines", self.rng.integers(1, 8)))
        prices = self.rng.integers(500, 6000, size=lines)
        gross = int(prices.sum())
        discount = int(gross * kind.get("discount", 0.0))
        voided = int(kind.get("voided", 0))
        overridden = int(kind.get("overridden", 0))
        self.sales.append(
            {
                "receipt_no": receipt,
                "store_id": "MSU-01",
                "shift_id": shift,
                "cashier": cashier,
                "occurred_at": at,
                "line_count": lines,
                "total_cents": gross - discount,
                "discount_cents": discount,
                "voided_count": voided,
                "voided_cents": int(voided * 2500),
            }
        )
        for i, price in enumerate(prices):
            self.lines.append(
                {
                    "receipt_no": receipt,
                    "unit_price_cents": int(price),
                    "quantity": Decimal(1),
                    "price_overridden": i < overridden,
                }
            )
        method = "cash" if kind.get("cash", self.rng.random() < 0.6) else "card"
        self.payments.append({"receipt_no": receipt, "method": method, "amount_cents": gross - discount})
        return receipt

    def refund(self, shift: str, cashier: str, at: datetime, receipt: str, method: str = "card") -> str:
        note = f"MSU-01-T1-R{len(self.returns) + 1:05d}"
        self.returns.append(
            {
                "credit_note_no": note,
                "original_receipt_no": receipt,
                "store_id": "MSU-01",
                "shift_id": shift,
                "cashier": cashier,
                "occurred_at": at,
                "line_count": 1,
                "refund_cents": 2500,
                "refund_method": method,
            }
        )
        return note

    def build(self, days: int = 12, dishonest: str = "lineo") -> None:
        for day in range(days):
            if (FIRST_DAY + timedelta(days=day)).weekday() == 6:  # Sundays close at 14:00: no full shifts
                continue
            for k, cashier in enumerate(CASHIERS):
                shift = f"S-{day:02d}-{k}"
                opened = FIRST_DAY + timedelta(days=day)
                cheats = cashier == dishonest and day % 3 == 0
                sold, voids, no_sales = 0, 0, int(self.rng.integers(0, 2))
                for j in range(25):
                    at = opened + timedelta(minutes=12 * j + int(self.rng.integers(0, 10)))
                    honest_noise = {
                        "voided": float(self.rng.random() < 0.05),
                        "discount": 0.05 if self.rng.random() < 0.05 else 0.0,
                    }
                    receipt = self.sale(shift, cashier, at, **honest_noise)
                    voids += int(honest_noise["voided"])
                    if cheats and j % 8 == 3:  # void theft, then a sweetheart deal, then a quick cash refund
                        self.fraud.add(self.sale(shift, cashier, at, voided=4, lines=5, cash=1.0))
                        self.fraud.add(self.sale(shift, cashier, at, discount=0.45, overridden=3, lines=6))
                        self.fraud.add(
                            self.refund(shift, cashier, at + timedelta(minutes=6), receipt, method="cash")
                        )
                        voids, no_sales = voids + 4, no_sales + 3
                    elif self.rng.random() < 0.03:
                        self.refund(shift, cashier, at + timedelta(days=2), receipt)
                    sold += 1
                self.shifts.append(
                    {
                        "shift_id": shift,
                        "store_id": "MSU-01",
                        "cashier": cashier,
                        "opened_at": opened,
                        "closed_at": opened + timedelta(hours=6),
                        "sales_count": sold,
                        "sales_total_cents": 500_000,
                        "voids_count": voids,
                        "voids_cents": voids * 2500,
                        "discounts_cents": 3000,
                        "returns_cents": 2500,
                        "cancelled_count": 0,
                        "no_sales_count": no_sales,
                        "variance_cents": -2000 if cheats else int(self.rng.integers(-300, 300)),
                        "cash_sales_cents": 300_000,
                    }
                )

    def frames(self) -> dict[str, pl.DataFrame]:
        return {
            "sales": pl.DataFrame(self.sales),
            "sale_lines": pl.DataFrame(self.lines, schema_overrides={"quantity": pl.Decimal(18, 3)}),
            "payments": pl.DataFrame(self.payments),
            "returns": pl.DataFrame(self.returns),
            "shifts": pl.DataFrame(self.shifts),
        }


@pytest.fixture(scope="module")
def store() -> Store:
    built = Store()
    built.build()
    return built


@pytest.fixture(scope="module")
def trained(store: Store) -> tuple[FraudModel, pl.DataFrame, pl.DataFrame]:
    f = store.frames()
    transactions = transaction_features(f["sales"], f["sale_lines"], f["payments"], f["returns"])
    model = FraudModel(trees=100).fit(transactions, f["shifts"])
    scored = model.score_transactions(transactions)
    return model, scored, model.score_shifts(f["shifts"], scored)


def test_planted_frauds_rank_at_the_top_of_the_transactions(store: Store, trained: tuple) -> None:
    _, scored, _ = trained
    labels = scored.get_column("ref").is_in(list(store.fraud)).to_numpy()
    k = len(store.fraud)
    assert precision_at_k(scored.get_column("score").to_numpy(), labels, k) >= 0.8
    honest = scored.filter(~pl.col("ref").is_in(list(store.fraud)))
    assert honest.get_column("score").median() < 0.2  # the everyday sale is not under suspicion


def test_the_dishonest_cashiers_shifts_rank_first(trained: tuple) -> None:
    _, _, shifts = trained
    top = shifts.sort("score", descending=True).head(4)
    assert top.get_column("cashier").to_list() == ["lineo"] * 4


def test_a_suspicious_transaction_says_why(trained: tuple) -> None:
    _, scored, _ = trained
    flagged = scored.filter(pl.col("score") >= 0.5)
    assert flagged.height > 0
    assert all(reasons for reasons in flagged.get_column("reasons").to_list())
    quick_refunds = scored.filter((pl.col("kind") == "return") & (pl.col("cash_share") > 0))
    assert any(
        "cash refund 6 min after the sale" in r for r in quick_refunds.get_column("reasons").to_list()[0]
    )


def test_a_sale_after_closing_is_flagged_with_the_minutes(store: Store, trained: tuple) -> None:
    model, _, _ = trained
    late = Store(seed=1)
    receipt = late.sale("S-late", "thabo", FIRST_DAY.replace(hour=19, minute=30), lines=2)  # 21:30 in Maseru
    f = late.frames()
    scored = model.score_transactions(transaction_features(f["sales"], f["sale_lines"], f["payments"]))
    row = scored.row(0, named=True)
    assert row["ref"] == receipt
    assert row["minutes_outside_hours"] == pytest.approx(150.0)  # Tuesday closes at 19:00
    assert "150 min outside trading hours" in row["reasons"]


def test_the_model_scores_the_same_after_a_round_trip_through_its_bundle(
    trained: tuple, store: Store, tmp_path: Path
) -> None:
    model, scored, shifts = trained
    loaded = FraudModel.load(model.save(tmp_path / "fraud", {"trained_on": "synthetic"}))
    f = store.frames()
    again = loaded.score_transactions(
        transaction_features(f["sales"], f["sale_lines"], f["payments"], f["returns"])
    )
    assert again.get_column("score").to_list() == scored.get_column("score").to_list()
    assert (
        loaded.score_shifts(f["shifts"], again).get_column("score").to_list()
        == shifts.get_column("score").to_list()
    )


def _planted(x: object) -> object:
    return x


def test_a_bundle_holding_code_is_refused(tmp_path: Path) -> None:
    folder = save_bundle(
        tmp_path / "evil", {"transactions": FunctionTransformer(_planted)}, {"kind": "fraud"}
    )
    assert sio.get_untrusted_types(file=folder / "transactions.skops")  # skops itself sees a function
    with pytest.raises(BundleError, match="does not trust"):
        FraudModel.load(folder)


def test_too_little_history_is_a_clear_error(store: Store) -> None:
    f = store.frames()
    few = transaction_features(f["sales"].head(5), f["sale_lines"], f["payments"])
    with pytest.raises(ValueError, match="too few transactions"):
        FraudModel().fit(few, f["shifts"])


def test_a_trained_model_survives_pickling_with_the_same_scores_and_reasons(
    trained: tuple, store: Store
) -> None:
    """A store scores in a worker process: the model crosses to it pickled, rules and all."""
    model, scored, shifts = trained
    copy = pickle.loads(pickle.dumps(model))
    assert [r.name for r in copy.transactions.rules] == [r.name for r in model.transactions.rules]
    f = store.frames()
    again = copy.score_transactions(
        transaction_features(f["sales"], f["sale_lines"], f["payments"], f["returns"])
    )
    assert again.get_column("score").to_list() == scored.get_column("score").to_list()
    assert again.get_column("reasons").to_list() == scored.get_column("reasons").to_list()
    assert copy.score_shifts(f["shifts"], again).get_column("reasons").to_list() == (
        shifts.get_column("reasons").to_list()
    )
