"""GTIN barcodes (EAN-8, UPC-A, EAN-13, GTIN-14): check digits, shared by the store node (scans, catalog
changes) and HQ (the catalog master is checked before it is pushed to any store)."""

__all__ = [
    "GTIN_LENGTHS",
    "BarcodeError",
    "check_barcode",
    "gtin_check_digit",
    "is_digits",
    "is_valid_gtin",
    "make_gtin",
]

# EAN-8, UPC-A (GTIN-12), EAN-13 and GTIN-14.
GTIN_LENGTHS = frozenset({8, 12, 13, 14})
_ASCII_DIGITS = frozenset("0123456789")


class BarcodeError(ValueError):
    """A scanned or typed barcode cannot be used; the message is shown to the cashier."""


def is_digits(text: str) -> bool:
    # str.isdigit() would also accept "²" and non-ASCII digits.
    return bool(text) and all(char in _ASCII_DIGITS for char in text)


def gtin_check_digit(body: str) -> int:
    """GS1 mod-10 check digit of body (the digits without the check digit).

    From the right, digits are weighted 3, 1, 3, 1, ...; the check digit brings the weighted sum up
    to a multiple of 10.
    """
    if not is_digits(body):
        raise BarcodeError(f"{body!r} is not a barcode: use digits only")
    total = sum(int(char) * (3 if position % 2 == 0 else 1) for position, char in enumerate(reversed(body)))
    return -total % 10


def is_valid_gtin(code: str) -> bool:
    """True for an EAN-8, UPC-A, EAN-13 or GTIN-14 with a correct check digit; False for anything else."""
    return len(code) in GTIN_LENGTHS and is_digits(code) and gtin_check_digit(code[:-1]) == int(code[-1])


def make_gtin(body: str) -> str:
    """body followed by its GS1 check digit."""
    return body + str(gtin_check_digit(body))


def check_barcode(code: str) -> str:
    """The barcode with surrounding whitespace removed, or BarcodeError saying what is wrong with it."""
    stripped = code.strip()
    if not stripped:
        raise BarcodeError("the barcode is empty")
    if not is_digits(stripped):
        raise BarcodeError(f"{stripped!r} is not a barcode: use digits only")
    if len(stripped) not in GTIN_LENGTHS:
        raise BarcodeError(
            f"barcode {stripped} has {len(stripped)} digits: a barcode has 8, 12, 13 or 14 digits"
        )
    expected = gtin_check_digit(stripped[:-1])
    if int(stripped[-1]) != expected:
        raise BarcodeError(f"barcode {stripped} has a wrong check digit (expected {expected})")
    return stripped
