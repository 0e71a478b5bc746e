"""What a Lesotho grocery sells, by category (data): items, sizes, prices, VAT, margins, lead times,
how price-sensitive and how seasonal each category is.

Prices are VAT-inclusive lisente of the reference size, as on Maseru shelves in the mid-2020s; each SKU's
price is its item's × its size's multiplier × its brand's premium, written as a shop writes it (x.99 or
x.49). Airtime, electricity tokens, stamps and tickets are fixed denominations: never discounted, never
repriced, not stocked (an electronic voucher or a service).
"""

from dataclasses import dataclass

from aiwebpos_contracts.receipts import VatClass
from aiwebpos_pipelines.history.money import Unit


@dataclass(frozen=True)
class Item:
    """One kind of product; each (brand, size, pack) of it becomes a SKU."""

    name: str
    price_cents: int  # of the reference size (multiplier 1), or per kg
    vat_class: VatClass = "standard"
    unit: Unit = "each"
    sizes: tuple[tuple[str, float], ...] = (("", 1.0),)  # label, price multiplier
    branded: bool = True
    fixed: bool = False  # a denomination: the price is exactly price × multiplier
    mean_kg: float = 1.0  # weighed items: the mean weight of one purchase


@dataclass(frozen=True)
class Category:
    name: str
    prefix: str  # of its SKUs: "MZ-0001"
    unit_share: float  # share of the units a store sells
    range_share: float  # share of the SKUs of a catalog
    elasticity: tuple[float, float]  # the true price elasticity of demand is drawn from this range
    margin: tuple[float, float]  # markup on cost (excluding VAT)
    lead_days: tuple[int, int]  # supplier lead time; (0, 0): not stocked
    pack_sizes: tuple[int, ...]  # units (kg for weighed items) per case ordered
    brands: tuple[str, ...]
    items: tuple[Item, ...]
    winter: float = 0.0  # amplitudes of calendar.season_factor
    festive: float = 0.0
    school: float = 0.0
    promotions_per_year: float = 3.0  # per SKU
    price_changes_per_year: float = 1.2  # permanent changes of the regular price, per SKU
    spoilage: float = 0.0  # share of the stock on hand written off as expired on a day it is checked
    multi_buy: float = 0.2  # chance that one more unit joins the line (quantity > 1)
    essential: int = 9  # order in which a tiny catalog keeps its categories (1 first)

    @property
    def stocked(self) -> bool:
        return self.lead_days[1] > 0


_MAIZE_SIZES = (("1 kg", 0.14), ("2.5 kg", 0.33), ("5 kg", 0.58), ("10 kg", 1.0), ("12.5 kg", 1.2))
_AIRTIME = (("M5", 0.5), ("M10", 1.0), ("M20", 2.0), ("M30", 3.0), ("M50", 5.0), ("M100", 10.0))

CATEGORIES: tuple[Category, ...] = (
    Category(
        "Maize meal",
        "MZ",
        unit_share=0.07,
        range_share=0.04,
        elasticity=(-0.5, -0.9),
        margin=(0.06, 0.12),
        lead_days=(3, 5),
        pack_sizes=(1, 4, 6, 10),
        brands=("Maloti", "Thaba", "Khotso", "Letsatsi", "Senqu", "Mohokare"),
        items=(
            Item("Super maize meal", 13_000, "zero", sizes=_MAIZE_SIZES),
            Item("Special maize meal", 11_500, "zero", sizes=_MAIZE_SIZES),
            Item("Sifted maize meal", 10_500, "zero", sizes=_MAIZE_SIZES),
            Item("Samp", 3_500, "zero", sizes=(("2 kg", 1.0), ("5 kg", 2.3))),
        ),
        winter=0.25,
        festive=0.3,
        promotions_per_year=2.0,
        essential=1,
    ),
    Category(
        "Bread & bakery",
        "BR",
        unit_share=0.12,
        range_share=0.05,
        elasticity=(-0.7, -1.2),
        margin=(0.10, 0.20),
        lead_days=(1, 1),
        pack_sizes=(10, 12, 20),
        brands=("Sunshine", "Bakers' Pride", "Lesotho Bakery", "Golden Crust"),
        items=(
            Item("White bread 700 g", 1_750, "zero"),
            Item("Brown bread 700 g", 1_650, "zero"),
            Item("Bakery loaf", 1_500, "zero", branded=False),
            Item("Hot dog rolls 6s", 1_900),
            Item("Scones 6s", 2_500),
            Item("Fat cakes 4s", 1_000, branded=False),
            Item("Sponge cake", 5_000),
            Item("Rusks 500 g", 4_300),
        ),
        festive=0.3,
        promotions_per_year=1.5,
        spoilage=0.05,
        multi_buy=0.3,
        essential=2,
    ),
    Category(
        "Dairy & eggs",
        "DY",
        unit_share=0.09,
        range_share=0.07,
        elasticity=(-0.8, -1.4),
        margin=(0.12, 0.22),
        lead_days=(2, 2),
        pack_sizes=(6, 12),
        brands=("Maluti Dairy", "Lesotho Dairy", "Clover Hill", "Mountain Fresh"),
        items=(
            Item("Fresh milk", 2_200, "zero", sizes=(("500 ml", 0.55), ("1 L", 1.0), ("2 L", 1.8))),
            Item("Maas sour milk", 3_900, "zero", sizes=(("1 L", 0.55), ("2 L", 1.0))),
            Item("Large eggs", 5_000, "zero", sizes=(("6s", 0.36), ("18s", 1.0), ("30s", 1.6))),
            Item("Plain yoghurt 1 kg", 4_000),
            Item("Cheddar cheese 400 g", 8_000),
            Item("Butter 500 g", 9_000),
            Item("Margarine 500 g", 3_300),
        ),
        festive=0.2,
        spoilage=0.02,
        essential=3,
    ),
    Category(
        "Paraffin & fuel",
        "PF",
        unit_share=0.05,
        range_share=0.04,
        elasticity=(-0.5, -0.9),
        margin=(0.08, 0.20),
        lead_days=(3, 7),
        pack_sizes=(4, 6, 10),
        brands=("Maloti", "Flame", "Khanya"),
        items=(
            Item(
                "Illuminating paraffin", 2_300, "zero", sizes=(("750 ml", 1.0), ("2 L", 2.45), ("5 L", 5.9))
            ),
            Item("Household candles 6s", 2_500),
            Item("Safety matches 10s", 1_200),
            Item("LP gas refill 9 kg", 32_000),
            Item("Firelighters 32s", 2_300),
            Item("Coal 25 kg", 9_000, branded=False),
        ),
        winter=0.9,
        promotions_per_year=1.0,
        essential=4,
    ),
    Category(
        "Airtime & electricity",
        "AE",
        unit_share=0.09,
        range_share=0.04,
        elasticity=(-0.5, -0.5),
        margin=(0.03, 0.06),
        lead_days=(0, 0),
        pack_sizes=(1,),
        brands=(),
        items=(
            Item("Vodacom airtime", 1_000, sizes=_AIRTIME, branded=False, fixed=True),
            Item("Econet airtime", 1_000, sizes=_AIRTIME, branded=False, fixed=True),
            Item(
                "Prepaid electricity",
                5_000,
                "reduced",
                sizes=(("M20", 0.4), ("M50", 1.0), ("M100", 2.0), ("M200", 4.0)),
                branded=False,
                fixed=True,
            ),
            Item(
                "Data bundle",
                9_900,
                sizes=(("500 MB", 0.5), ("1 GB", 1.0), ("5 GB", 3.0)),
                branded=False,
                fixed=True,
            ),
        ),
        promotions_per_year=0.0,
        price_changes_per_year=0.0,
        multi_buy=0.1,
        essential=5,
    ),
    Category(
        "Meat",
        "MT",
        unit_share=0.05,
        range_share=0.05,
        elasticity=(-1.2, -2.0),
        margin=(0.15, 0.25),
        lead_days=(2, 3),
        pack_sizes=(5, 10, 20),
        brands=(),
        items=(
            Item("Beef mince", 11_000, unit="kg", branded=False, mean_kg=0.9),
            Item("Stewing beef", 9_500, unit="kg", branded=False, mean_kg=1.2),
            Item("Beef T-bone", 14_000, unit="kg", branded=False, mean_kg=0.8),
            Item("Chicken pieces", 7_500, unit="kg", branded=False, mean_kg=1.5),
            Item("Whole chicken", 6_500, unit="kg", branded=False, mean_kg=1.6),
            Item("Pork chops", 10_000, unit="kg", branded=False, mean_kg=0.8),
            Item("Boerewors", 11_000, unit="kg", branded=False, mean_kg=0.7),
            Item("Mutton chops", 16_000, unit="kg", branded=False, mean_kg=0.7),
            Item("Chicken livers 500 g", 3_000, branded=False),
        ),
        festive=0.6,
        promotions_per_year=2.5,
        spoilage=0.02,
        essential=6,
    ),
    Category(
        "Fruit & vegetables",
        "FV",
        unit_share=0.08,
        range_share=0.06,
        elasticity=(-1.0, -1.6),
        margin=(0.25, 0.40),
        lead_days=(1, 2),
        pack_sizes=(10, 20),
        brands=(),
        items=(
            Item("Potatoes (per kg)", 1_500, "zero", unit="kg", branded=False, mean_kg=2.0),
            Item("Tomatoes (per kg)", 2_000, "zero", unit="kg", branded=False, mean_kg=0.9),
            Item("Onions (per kg)", 1_700, "zero", unit="kg", branded=False, mean_kg=1.0),
            Item("Carrots (per kg)", 1_500, "zero", unit="kg", branded=False, mean_kg=0.8),
            Item("Apples (per kg)", 2_500, "zero", unit="kg", branded=False, mean_kg=1.1),
            Item("Bananas (per kg)", 2_000, "zero", unit="kg", branded=False, mean_kg=1.0),
            Item("Oranges (per kg)", 1_800, "zero", unit="kg", branded=False, mean_kg=1.3),
            Item("Cabbage", 1_500, "zero", branded=False),
            Item("Spinach bunch", 1_200, "zero", branded=False),
            Item("Pumpkin", 2_500, "zero", branded=False),
            Item("Potatoes 7 kg pocket", 8_000, "zero", branded=False),
            Item("Onions 3 kg bag", 4_500, "zero", branded=False),
        ),
        winter=0.15,
        festive=0.3,
        promotions_per_year=3.0,
        spoilage=0.03,
        essential=7,
    ),
    Category(
        "Beverages",
        "BV",
        unit_share=0.12,
        range_share=0.13,
        elasticity=(-1.6, -2.6),
        margin=(0.18, 0.30),
        lead_days=(3, 7),
        pack_sizes=(6, 12, 24),
        brands=("Maluti", "Fizz", "Sparkle", "Highveld", "Mokorotlo", "Sunvale"),
        items=(
            Item("Cola", 2_800, sizes=(("330 ml can", 0.43), ("1 L", 0.6), ("2 L", 1.0))),
            Item("Orange soda", 2_500, sizes=(("330 ml can", 0.45), ("2 L", 1.0))),
            Item("Cream soda", 2_500, sizes=(("2 L", 1.0),)),
            Item("Fruit juice", 3_000, sizes=(("1 L", 1.0), ("2 L", 1.7))),
            Item("Mineral water", 2_600, sizes=(("500 ml", 0.3), ("5 L", 1.0))),
            Item("Five-star tea bags", 4_000, sizes=(("50s", 0.55), ("100s", 1.0))),
            Item("Instant coffee", 9_000, sizes=(("100 g", 0.55), ("200 g", 1.0))),
            Item("Cordial 2 L", 4_500),
            Item("Energy drink 500 ml", 1_600),
            Item("Mahewu maize drink 1 L", 1_300),
        ),
        festive=0.5,
        promotions_per_year=5.0,
        multi_buy=0.35,
        essential=8,
    ),
    Category(
        "Groceries",
        "GR",
        unit_share=0.13,
        range_share=0.18,
        elasticity=(-1.0, -1.6),
        margin=(0.12, 0.22),
        lead_days=(3, 7),
        pack_sizes=(6, 10, 12, 24),
        brands=("Maloti", "Selectwise", "Everyday", "Khotso", "Pantry Gold", "Senqu", "Ntate's"),
        items=(
            Item("White sugar", 5_500, sizes=(("1 kg", 0.46), ("2.5 kg", 1.0), ("5 kg", 1.82))),
            Item("Sunflower oil", 7_000, sizes=(("750 ml", 0.43), ("2 L", 1.0), ("5 L", 2.3))),
            Item("Long grain rice", 4_300, sizes=(("1 kg", 0.54), ("2 kg", 1.0), ("5 kg", 2.3))),
            Item("Sugar beans 500 g", 2_700, "zero"),
            Item("Cake flour", 4_300, sizes=(("1 kg", 0.45), ("2.5 kg", 1.0))),
            Item("Macaroni 500 g", 2_000),
            Item("Iodated salt 1 kg", 1_300),
            Item("Pilchards in tomato sauce 400 g", 2_900),
            Item("Baked beans 410 g", 1_900),
            Item("Soup powder 400 g", 2_500),
            Item("Peanut butter 400 g", 4_000),
            Item("Apricot jam 450 g", 3_300),
            Item("Curry powder 100 g", 2_000),
            Item("Stock cubes 24s", 3_000),
            Item("Soya mince 400 g", 2_200),
            Item("Oats 1 kg", 3_800),
        ),
        festive=0.35,
        promotions_per_year=4.0,
        essential=10,
    ),
    Category(
        "Household",
        "HH",
        unit_share=0.06,
        range_share=0.11,
        elasticity=(-1.1, -1.9),
        margin=(0.20, 0.32),
        lead_days=(5, 10),
        pack_sizes=(6, 12),
        brands=("Sparkle", "Clean Home", "Khanya", "Bright", "Maloti"),
        items=(
            Item("Washing powder", 8_000, sizes=(("500 g", 0.29), ("2 kg", 1.0))),
            Item("Laundry bar 500 g", 2_200),
            Item("Dishwashing liquid 750 ml", 3_000),
            Item("Bleach 1.5 L", 3_500),
            Item("Toilet cleaner 500 ml", 3_300),
            Item("Broom", 6_000),
            Item("Refuse bags 20s", 3_000),
            Item("Insect spray 300 ml", 5_000),
            Item("Floor polish 400 ml", 4_000),
            Item("Shoe polish 50 ml", 2_000),
        ),
        promotions_per_year=4.0,
        essential=11,
    ),
    Category(
        "Toiletries",
        "TL",
        unit_share=0.06,
        range_share=0.12,
        elasticity=(-1.0, -1.8),
        margin=(0.22, 0.35),
        lead_days=(5, 10),
        pack_sizes=(6, 12, 24),
        brands=("Fresh", "Khanya", "Pure", "Maloti", "Silk"),
        items=(
            Item("Toothpaste 100 ml", 2_900),
            Item("Bath soap 175 g", 1_600),
            Item("Petroleum jelly 250 ml", 3_000),
            Item("Body lotion 400 ml", 5_000),
            Item("Roll-on deodorant", 3_500),
            Item("Sanitary pads 10s", 3_000),
            Item("Toilet paper 9s", 5_500),
            Item("Disposable nappies 30s", 15_000),
            Item("Shampoo 400 ml", 5_000),
            Item("Disposable razors 5s", 4_000),
        ),
        winter=0.2,
        promotions_per_year=4.0,
        essential=12,
    ),
    Category(
        "School & stationery",
        "ST",
        unit_share=0.02,
        range_share=0.05,
        elasticity=(-0.8, -1.4),
        margin=(0.30, 0.45),
        lead_days=(7, 14),
        pack_sizes=(10, 12, 20),
        brands=("Scholar", "Bright Star", "Thuto"),
        items=(
            Item("Exercise book", 1_300, sizes=(("72 pages", 0.38), ("192 pages", 1.0))),
            Item("Ballpoint pens 4s", 2_000),
            Item("HB pencils 10s", 1_800),
            Item("Ruler 30 cm", 1_000),
            Item("Eraser", 500),
            Item("School glue 110 ml", 2_000),
            Item("Crayons 12s", 2_500),
            Item("Calculator", 9_000),
        ),
        school=2.5,
        festive=0.1,
        promotions_per_year=1.0,
        multi_buy=0.4,
        essential=14,
    ),
    Category(
        "Snacks & sweets",
        "SN",
        unit_share=0.08,
        range_share=0.09,
        elasticity=(-1.8, -3.0),
        margin=(0.22, 0.35),
        lead_days=(5, 10),
        pack_sizes=(12, 24, 48),
        brands=("Crunch", "Sweetie", "Nice 'n Spicy", "Mokorotlo", "Golden"),
        items=(
            Item("Potato chips 125 g", 2_000),
            Item("Maize snacks 100 g", 700),
            Item("Tea biscuits 200 g", 2_000),
            Item("Chocolate bar 80 g", 1_900),
            Item("Sweets 100s", 3_000),
            Item("Salted peanuts 100 g", 1_300),
        ),
        festive=0.6,
        promotions_per_year=6.0,
        multi_buy=0.3,
        essential=13,
    ),
    Category(
        "Services",
        "SV",
        unit_share=0.01,
        range_share=0.01,
        elasticity=(-0.5, -0.5),
        margin=(0.02, 0.05),
        lead_days=(0, 0),
        pack_sizes=(1,),
        brands=(),
        items=(
            Item("Postage stamp (standard letter)", 800, "exempt", branded=False, fixed=True),
            Item("Postage stamp (registered)", 3_500, "exempt", branded=False, fixed=True),
            Item("Bus ticket (local)", 2_500, "exempt", branded=False, fixed=True),
            Item("Bus ticket (long distance)", 9_500, "exempt", branded=False, fixed=True),
        ),
        promotions_per_year=0.0,
        price_changes_per_year=0.0,
        multi_buy=0.1,
        essential=15,
    ),
)

# More SKUs of an item than brands × sizes allow: pack variants, with their price multiplier.
PACK_VARIANTS: tuple[tuple[str, float], ...] = (
    ("", 1.0),
    ("value pack", 0.92),
    ("twin pack", 1.9),
    ("family pack", 1.6),
    ("economy", 0.85),
    ("premium", 1.3),
    ("bulk", 3.4),
    ("lite", 1.0),
)
