"""A synthetic catalog of any size (for large-catalog tests and benchmarks): valid, unique GTINs."""

import csv
import random
from pathlib import Path

from aiwebpos_edge.barcodes import make_gtin

_WORDS = [
    "Maize",
    "Meal",
    "Bread",
    "Milk",
    "Sugar",
    "Rice",
    "Tea",
    "Soap",
    "Oil",
    "Beans",
    "Salt",
    "Flour",
    "Juice",
    "Biscuits",
    "Candles",
    "Paraffin",
    "Samp",
    "Soup",
    "Jam",
    "Coffee",
    "Pilchards",
    "Peanut",
    "Butter",
    "Cereal",
    "Pasta",
    "Sauce",
    "Spice",
    "Cheese",
    "Yoghurt",
    "Chips",
]
_SIZES = ["250 g", "500 g", "1 kg", "2 kg", "2.5 kg", "5 kg", "10 kg", "340 ml", "1 L", "2 L", "6s", "12s"]


def synthetic_barcode(index: int) -> str:
    return make_gtin(f"609{index:09d}")  # 609: a prefix no demo product uses


def write_synthetic_catalog(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name", "price_cents", "vat_class", "unit", "category", "barcodes", "plu"])
        for i in range(count):
            name = f"{rng.choice(_WORDS)} {rng.choice(_WORDS)} {rng.choice(_SIZES)} #{i}"
            vat_class = "zero" if rng.random() < 0.3 else "standard"
            writer.writerow(
                [
                    f"SYN-{i:07d}",
                    name,
                    rng.randint(500, 50000),
                    vat_class,
                    "each",
                    rng.choice(_WORDS),
                    synthetic_barcode(i),
                    "",
                ]
            )
