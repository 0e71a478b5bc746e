"""Barcodes of the demo catalog, by name, for tests."""

from aiwebpos_edge.barcodes import DEFAULT_WEIGHED_LAYOUT, make_gtin, make_weighed_barcode

MAIZE_10KG = make_gtin("600108734017")  # M129.99 zero-rated
MILK_1L = make_gtin("600555100017")  # M21.99 zero-rated
COKE_2L = make_gtin("544900000099")  # M27.99 standard
SUGAR = make_gtin("600444500010")  # M54.99 standard
OIL_2L = make_gtin("600444500027")  # M69.99 standard
PARAFFIN = make_gtin("600777300012")  # M23.00 zero-rated
POWDER = make_gtin("600888900028")  # M79.99 standard
POTATOES_750G = make_weighed_barcode("01001", "weight", 750, DEFAULT_WEIGHED_LAYOUT)  # M14.99/kg
MINCE_M25 = make_weighed_barcode("02001", "price", 2500, DEFAULT_WEIGHED_LAYOUT)  # M109.99/kg


def wrong_check_digit(code: str) -> str:
    return code[:-1] + str((int(code[-1]) + 1) % 10)
