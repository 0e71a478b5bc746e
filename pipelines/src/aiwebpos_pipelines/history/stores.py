"""The chain's stores (pure, seeded): towns, ids, size, terminals, staff, tender habits, account customers.

Store ids are the town's code and the store's number in the chain (MSU-01, TY-02, MPT-03 …). Each store
has 2–4 terminals (T1…), a manager, and cashiers enough for two shifts on every terminal. With three or
more stores and a history of two months or more, the last store opens part-way through it.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from aiwebpos_contracts.ids import uuid7_from

CHAIN_NAME = "Khotso Supermarkets"

# town, code, size (demand relative to an average store), border town (more rand in the tills), urban
TOWNS: tuple[tuple[str, str, float, bool, bool], ...] = (
    ("Maseru", "MSU", 1.35, True, True),
    ("Teyateyaneng", "TY", 0.9, False, True),
    ("Maputsoe", "MPT", 1.05, True, True),
    ("Mafeteng", "MFT", 0.85, True, True),
    ("Leribe", "LRB", 0.8, False, True),
    ("Mohale's Hoek", "MHK", 0.75, False, True),
    ("Butha-Buthe", "BB", 0.7, True, False),
    ("Quthing", "QTG", 0.6, False, False),
    ("Qacha's Nek", "QN", 0.55, True, False),
    ("Mokhotlong", "MKG", 0.5, False, False),
    ("Thaba-Tseka", "TT", 0.5, False, False),
    ("Roma", "ROM", 0.6, False, False),
    ("Semonkong", "SMK", 0.4, False, False),
)
_BRANCHES = ("Central", "Pioneer Road", "Ha Thetsane", "Kingsway", "Station", "Mall")
_STREETS = (
    "Main North Road",
    "Kingsway",
    "Main South Road",
    "Moshoeshoe Road",
    "Pioneer Road",
    "Market Street",
)
FIRST_NAMES = (
    "thabo", "palesa", "lerato", "mpho", "neo", "teboho", "nthabiseng", "refiloe", "tumelo", "karabo",
    "lineo", "mamello", "tsepo", "lebohang", "puleng", "motlatsi", "rethabile", "keketso", "limpho",
    "nthati", "bokang", "katleho", "relebohile", "tlotliso", "mosa", "boitumelo", "lintle", "thato",
    "seabata", "mahlape", "tebello", "ntsoaki", "paballo", "reitumetse", "lisebo", "moeketsi",
)  # fmt: skip
SURNAME_INITIALS = "mklnstpr"
TENDERS = ("cash", "cash_zar", "card", "mobile_money", "account")


@dataclass
class Customer:
    customer_id: str
    credit_limit_cents: int
    balance_cents: int = 0


@dataclass
class Cashier:
    username: str
    care: float  # multiplies an honest cashier's voids, discounts and no-sales (a trainee: 2–3)


@dataclass
class StoreSpec:
    store_id: str
    name: str
    town: str
    address: str
    vat_number: str
    opened_on: date
    size: float
    terminals: tuple[str, ...]
    manager: str
    cashiers: tuple[Cashier, ...]
    tender_mix: np.ndarray  # probabilities of TENDERS
    customers: list[Customer] = field(default_factory=list)

    def open_on(self, day: date) -> bool:
        return day >= self.opened_on


def _username(rng: np.random.Generator, taken: set[str]) -> str:
    while True:
        name = f"{FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]}.{SURNAME_INITIALS[int(rng.integers(8))]}"
        if name in taken:
            name = f"{name}{len(taken) % 10}"
        if name not in taken:
            taken.add(name)
            return name


def _tender_mix(rng: np.random.Generator, border: bool, urban: bool) -> np.ndarray:
    # cash LSL, cash ZAR at par, card, mobile money, account
    base = np.array([0.48, 0.14, 0.18, 0.18, 0.02]) if urban else np.array([0.58, 0.06, 0.07, 0.27, 0.02])
    if border:
        base[1] += 0.06
    mix = base * rng.lognormal(0, 0.1, len(base))
    return np.asarray(mix / mix.sum())


def store_id(number: int) -> str:
    """The id of the chain's store number `number` (1: MSU-01, 2: TY-02, …; the towns come round again)."""
    return f"{TOWNS[(number - 1) % len(TOWNS)][1]}-{number:02d}"


def build_stores(
    rng: np.random.Generator, count: int, start: date, days: int, first: int = 1
) -> list[StoreSpec]:
    """`count` stores numbered from `first` (stores of the chain numbered below it exist elsewhere: live
    nodes, or an earlier history)."""
    taken: set[str] = set()
    stores = []
    last = first + count - 1
    for number in range(first, last + 1):
        town, _, size, border, urban = TOWNS[(number - 1) % len(TOWNS)]
        round_ = (number - 1) // len(TOWNS)
        name = f"{CHAIN_NAME} {town}" + (f" {_BRANCHES[(round_ - 1) % len(_BRANCHES)]}" if round_ else "")
        store_size = size * float(rng.lognormal(0, 0.15))
        terminals = 2 if store_size < 0.75 else 3 if store_size < 1.15 else 4
        opened_on = start - timedelta(days=int(rng.integers(200, 3000)))
        if count >= 3 and number == last and days >= 60:
            opened_on = start + timedelta(days=int(rng.uniform(0.3, 0.6) * days))
        cashiers = []
        for _ in range(2 * terminals + int(rng.integers(1, 3))):
            care = float(rng.lognormal(0, 0.35)) * (2.5 if rng.random() < 0.12 else 1.0)
            cashiers.append(Cashier(_username(rng, taken), care))
        customers = [
            Customer(
                str(uuid7_from(int(rng.integers(1_500_000_000_000, 1_700_000_000_000)), *_bits(rng))),
                int(rng.choice([50_000, 100_000, 200_000, 300_000])),
            )
            for _ in range(max(3, round(10 * store_size)))
        ]
        stores.append(
            StoreSpec(
                store_id=store_id(number),
                name=name,
                town=town,
                address=f"{int(rng.integers(1, 400))} {_STREETS[int(rng.integers(len(_STREETS)))]}, {town}, Lesotho",
                vat_number=f"LS-VAT-{int(rng.integers(1_000_000, 9_999_999))}",
                opened_on=opened_on,
                size=store_size,
                terminals=tuple(f"T{i}" for i in range(1, terminals + 1)),
                manager=_username(rng, taken),
                cashiers=tuple(cashiers),
                tender_mix=_tender_mix(rng, border, urban),
                customers=customers,
            )
        )
    return stores


def _bits(rng: np.random.Generator) -> tuple[int, int]:
    return int(rng.integers(0, 1 << 12)), int(rng.integers(0, 1 << 62))
