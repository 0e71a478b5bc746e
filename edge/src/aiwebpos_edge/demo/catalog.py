"""A demo catalog: a Lesotho grocery, in every VAT class, with real-looking GS1 barcodes.

Prices are VAT-inclusive lisente. Barcodes are built with their check digit from a 600 (South African
GS1) prefix, as most goods on Lesotho shelves come through South Africa. Weighed items carry a PLU
for in-store scale labels; quick-key items (bread from the bakery, airtime) have no barcode.
"""

from aiwebpos_edge.barcodes import make_gtin
from aiwebpos_edge.catalog.models import NewProduct
from aiwebpos_edge.catalog.service import create_product
from aiwebpos_edge.tx import Actor, Tx

# sku, name, price_cents, vat_class, unit, category, barcode body (12 digits) or "", plu or ""
DEMO_PRODUCTS: list[tuple[str, str, int, str, str, str, str, str]] = [
    ("MM-IWISA-10", "Iwisa Super Maize Meal 10 kg", 12999, "zero", "each", "Staples", "600108734017", ""),
    ("MM-IWISA-25", "Iwisa Super Maize Meal 2.5 kg", 3899, "zero", "each", "Staples", "600108734024", ""),
    ("MM-WHT-12", "White Star Maize Meal 12.5 kg", 14999, "zero", "each", "Staples", "600101112233", ""),
    ("SAMP-2", "Samp 2 kg", 3499, "zero", "each", "Staples", "600222333444", ""),
    ("BREAD-BRN", "Brown Bread 700 g", 1750, "zero", "each", "Bakery", "600987650011", ""),
    ("BREAD-WHT", "White Bread 700 g", 1850, "zero", "each", "Bakery", "600987650028", ""),
    ("BREAD-BAKERY", "Bakery Loaf (in-store)", 1600, "zero", "each", "Bakery", "", ""),
    ("MILK-1L", "Maluti Fresh Milk 1 L", 2199, "zero", "each", "Dairy", "600555100017", ""),
    ("MILK-2L", "Maluti Fresh Milk 2 L", 3999, "zero", "each", "Dairy", "600555100024", ""),
    ("EGGS-18", "Large Eggs 18s", 4999, "zero", "each", "Dairy", "600555200014", ""),
    ("PARAFFIN-750", "Illuminating Paraffin 750 ml", 2300, "zero", "each", "Fuel", "600777300012", ""),
    ("PARAFFIN-5L", "Illuminating Paraffin 5 L", 13500, "zero", "each", "Fuel", "600777300029", ""),
    ("BEANS-500", "Sugar Beans 500 g", 2699, "zero", "each", "Staples", "600222333451", ""),
    ("POTATO-KG", "Potatoes (per kg)", 1499, "zero", "kg", "Fresh produce", "", "1001"),
    ("TOMATO-KG", "Tomatoes (per kg)", 1999, "zero", "kg", "Fresh produce", "", "1002"),
    ("CABBAGE", "Cabbage (each)", 1500, "zero", "each", "Fresh produce", "", ""),
    ("SUGAR-25", "White Sugar 2.5 kg", 5499, "standard", "each", "Groceries", "600444500010", ""),
    ("OIL-2L", "Sunflower Cooking Oil 2 L", 6999, "standard", "each", "Groceries", "600444500027", ""),
    ("RICE-2", "Long Grain Rice 2 kg", 4299, "standard", "each", "Groceries", "600444500034", ""),
    ("TEA-100", "Five Roses Tea 100 bags", 3999, "standard", "each", "Groceries", "600444500041", ""),
    ("SALT-1", "Iodated Salt 1 kg", 1299, "standard", "each", "Groceries", "600444500058", ""),
    (
        "PILCH-400",
        "Pilchards in Tomato Sauce 400 g",
        2899,
        "standard",
        "each",
        "Groceries",
        "600444500065",
        "",
    ),
    ("COKE-2L", "Coca-Cola 2 L", 2799, "standard", "each", "Drinks", "544900000099", ""),
    ("MALUTI-440", "Maluti Lager 440 ml", 1899, "standard", "each", "Drinks", "600666700013", ""),
    ("SOAP-BAR", "Sunlight Laundry Bar 500 g", 2199, "standard", "each", "Household", "600888900011", ""),
    ("POWDER-2", "Washing Powder 2 kg", 7999, "standard", "each", "Household", "600888900028", ""),
    ("CANDLES-6", "Household Candles 6s", 2499, "standard", "each", "Household", "600888900035", ""),
    ("MATCHES-10", "Lion Matches 10s", 1199, "standard", "each", "Household", "600888900042", ""),
    ("TPASTE-100", "Toothpaste 100 ml", 2899, "standard", "each", "Personal care", "600888900059", ""),
    ("MINCE-KG", "Beef Mince (per kg)", 10999, "standard", "kg", "Butchery", "", "2001"),
    ("CHICKEN-KG", "Chicken Pieces (per kg)", 7499, "standard", "kg", "Butchery", "", "2002"),
    ("AIRTIME-VCL-10", "Vodacom Airtime M10", 1000, "standard", "each", "Airtime", "", ""),
    ("AIRTIME-VCL-50", "Vodacom Airtime M50", 5000, "standard", "each", "Airtime", "", ""),
    ("AIRTIME-ECO-20", "Econet Airtime M20", 2000, "standard", "each", "Airtime", "", ""),
    ("ELEC-50", "Prepaid Electricity M50", 5000, "reduced", "each", "Electricity", "", ""),
    ("ELEC-100", "Prepaid Electricity M100", 10000, "reduced", "each", "Electricity", "", ""),
    ("STAMP-STD", "Postage Stamp (standard letter)", 800, "exempt", "each", "Services", "", ""),
]


def demo_products() -> list[NewProduct]:
    return [
        NewProduct(
            sku=sku,
            name=name,
            price_cents=price,
            vat_class=vat_class,  # type: ignore[arg-type]
            unit=unit,  # type: ignore[arg-type]
            category=category,
            barcodes=[make_gtin(body)] if body else [],
            plu=plu or None,
        )
        for sku, name, price, vat_class, unit, category, body, plu in DEMO_PRODUCTS
    ]


def seed_demo_catalog(tx: Tx, actor: Actor | None) -> int:
    products = demo_products()
    for product in products:
        create_product(tx, actor, product)
    return len(products)
