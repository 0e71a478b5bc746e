"""GTIN barcodes (EAN-8, UPC-A, EAN-13, GTIN-14) and in-store weighed-item barcodes.

Weighed-item (variable measure) barcodes are EAN-13s with a GS1 prefix 20-29, which GS1 leaves to
each retailer for use inside its own stores. The scale prints the item code and either the price or
the weight of the pack; which prefixes mean which is store configuration (WeighedLayout).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

# The GTIN check digits are shared with HQ, which checks the catalog master before pushing it.
from aiwebpos_contracts.gtin import (
    GTIN_LENGTHS,
    BarcodeError,
    check_barcode,
    gtin_check_digit,
    is_valid_gtin,
    make_gtin,
)
from aiwebpos_contracts.gtin import is_digits as _is_digits

__all__ = [
    "DEFAULT_WEIGHED_LAYOUT",
    "GTIN_LENGTHS",
    "BarcodeError",
    "WeighedCode",
    "WeighedKind",
    "WeighedLayout",
    "check_barcode",
    "gtin_check_digit",
    "is_valid_gtin",
    "make_gtin",
    "make_weighed_barcode",
    "parse_weighed",
    "price_check_digit",
]

WeighedKind = Literal["price", "weight"]

_EAN13_LENGTH = 13


# GS1 price/weight check digit (GS1 General Specifications, section 7.9.3 and 7.9.4).
#
# Each digit of the value field is replaced by a "weighted product" read from one of four tables:
#   "2-": units digit of (2 x d) minus its tens digit        0 2 4 6 8 9 1 3 5 7
#   "3" : units digit of 3 x d                                0 3 6 9 2 5 8 1 4 7
#   "5+": units digit of (5 x d) plus its tens digit          0 5 1 6 2 7 3 8 4 9
#   "5-": units digit of (5 x d) minus its tens digit         0 5 9 4 8 3 7 2 6 1
# (each row lists the product for d = 0..9, "minus" wraps modulo 10).
#
# 4-digit value: weights 2-, 2-, 3, 5- from the left; sum the products, multiply the sum by 3,
#   and the units digit of the result is the check digit. Example 2875: 4+5+1+3 = 13, 13x3 = 39 -> 9.
# 5-digit value: weights 5+, 2-, 5-, 5+, 2- from the left; sum the products and subtract the sum
#   from the next multiple of 10 (0 if already one); the check digit is the digit whose "5-"
#   product equals that difference. Example 14685: 5+8+7+4+9 = 33, 40-33 = 7, "5-"(6) = 7 -> 6.
_TWO_MINUS: tuple[int, ...] = (0, 2, 4, 6, 8, 9, 1, 3, 5, 7)
_THREE: tuple[int, ...] = (0, 3, 6, 9, 2, 5, 8, 1, 4, 7)
_FIVE_PLUS: tuple[int, ...] = (0, 5, 1, 6, 2, 7, 3, 8, 4, 9)
_FIVE_MINUS: tuple[int, ...] = (0, 5, 9, 4, 8, 3, 7, 2, 6, 1)


def price_check_digit(value: str) -> int:
    """GS1 price (or weight) check digit of a 4- or 5-digit value field; see the comment above."""
    if not _is_digits(value) or len(value) not in (4, 5):
        raise ValueError(f"a price check digit needs a 4 or 5 digit value, got {value!r}")
    digits = [int(char) for char in value]
    tables: tuple[tuple[int, ...], ...]
    if len(value) == 4:
        tables = (_TWO_MINUS, _TWO_MINUS, _THREE, _FIVE_MINUS)
        return sum(table[digit] for table, digit in zip(tables, digits, strict=True)) * 3 % 10
    tables = (_FIVE_PLUS, _TWO_MINUS, _FIVE_MINUS, _FIVE_PLUS, _TWO_MINUS)
    target = -sum(table[digit] for table, digit in zip(tables, digits, strict=True)) % 10
    return _FIVE_MINUS.index(target)


@dataclass(frozen=True)
class WeighedLayout:
    """How the store's scales lay out an in-store EAN-13:

    prefix (2 digits, 20-29) + item code (item_digits) + [price check digit, if value_check_digit]
    + value (value_digits) + EAN-13 check digit, 13 digits in all. The prefix says whether the value
    is a price in lisente or a weight in grams.
    """

    prefixes: Mapping[str, WeighedKind] = field(hash=False)
    item_digits: int = 5
    value_digits: int = 5
    value_check_digit: bool = False

    def __post_init__(self) -> None:
        # Keep a private read-only copy so the layout cannot change under a frozen dataclass.
        object.__setattr__(self, "prefixes", types.MappingProxyType(dict(self.prefixes)))
        if not self.prefixes:
            raise ValueError("a weighed layout needs at least one prefix")
        for prefix, kind in self.prefixes.items():
            if len(prefix) != 2 or not _is_digits(prefix) or prefix[0] != "2":
                raise ValueError(f"in-store prefixes are 20 to 29, got {prefix!r}")
            if kind not in ("price", "weight"):
                raise ValueError(f"prefix {prefix} must mean 'price' or 'weight', got {kind!r}")
        if self.item_digits < 1 or self.value_digits < 1:
            raise ValueError("item code and value need at least one digit each")
        total = 2 + self.item_digits + int(self.value_check_digit) + self.value_digits + 1
        if total != _EAN13_LENGTH:
            raise ValueError(
                f"prefix (2) + item ({self.item_digits}) + price check ({int(self.value_check_digit)}) "
                f"+ value ({self.value_digits}) + check digit (1) is {total} digits, not 13"
            )
        if self.value_check_digit and self.value_digits not in (4, 5):
            raise ValueError("a price check digit exists only for 4 or 5 digit values")


DEFAULT_WEIGHED_LAYOUT = WeighedLayout(
    prefixes={
        "20": "price",
        "21": "price",
        "22": "price",
        "23": "price",
        "24": "price",
        "25": "weight",
        "26": "weight",
        "27": "weight",
        "28": "weight",
        "29": "weight",
    },
)


@dataclass(frozen=True)
class WeighedCode:
    item_code: str  # without the prefix, leading zeros kept
    kind: WeighedKind
    value: int  # lisente for "price", grams for "weight"


def parse_weighed(code: str, layout: WeighedLayout) -> WeighedCode | None:
    """Read an in-store weighed-item barcode.

    None when code (whitespace stripped) is not an in-store code under layout (not 13 digits, or a
    prefix the layout does not list). BarcodeError when it is one but its EAN check digit, or its
    price check digit when the layout has one, is wrong.
    """
    stripped = code.strip()
    if len(stripped) != _EAN13_LENGTH or not _is_digits(stripped):
        return None
    kind = layout.prefixes.get(stripped[:2])
    if kind is None:
        return None
    expected = gtin_check_digit(stripped[:-1])
    if int(stripped[-1]) != expected:
        raise BarcodeError(f"barcode {stripped} has a wrong check digit (expected {expected})")
    item_code = stripped[2 : 2 + layout.item_digits]
    value_start = 2 + layout.item_digits + int(layout.value_check_digit)
    value_text = stripped[value_start : value_start + layout.value_digits]
    if layout.value_check_digit:
        expected_value_check = price_check_digit(value_text)
        if int(stripped[2 + layout.item_digits]) != expected_value_check:
            raise BarcodeError(
                f"barcode {stripped} has a wrong {kind} check digit (expected {expected_value_check})"
            )
    return WeighedCode(item_code=item_code, kind=kind, value=int(value_text))


def make_weighed_barcode(item_code: str, kind: WeighedKind, value: int, layout: WeighedLayout) -> str:
    """Build a valid in-store barcode, as the scale prints it, using the first prefix for kind."""
    prefix = next((prefix for prefix, meaning in layout.prefixes.items() if meaning == kind), None)
    if prefix is None:
        raise ValueError(f"the layout has no prefix for {kind}")
    if len(item_code) != layout.item_digits or not _is_digits(item_code):
        raise ValueError(f"item code must be {layout.item_digits} digits, got {item_code!r}")
    if not 0 <= value < 10**layout.value_digits:
        raise ValueError(f"{kind} {value} does not fit in {layout.value_digits} digits")
    value_text = str(value).zfill(layout.value_digits)
    value_check = str(price_check_digit(value_text)) if layout.value_check_digit else ""
    return make_gtin(prefix + item_code + value_check + value_text)
