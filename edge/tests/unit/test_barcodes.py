from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aiwebpos_edge.barcodes import (
    DEFAULT_WEIGHED_LAYOUT,
    BarcodeError,
    WeighedCode,
    WeighedKind,
    WeighedLayout,
    check_barcode,
    gtin_check_digit,
    is_valid_gtin,
    make_gtin,
    make_weighed_barcode,
    parse_weighed,
    price_check_digit,
)

REAL_GTINS = [
    "6001087340175",  # EAN-13, GS1 South Africa prefix 600
    "5449000000996",  # EAN-13, Coca-Cola 330 ml can
    "4006381333931",  # EAN-13, Stabilo pen (the Wikipedia example)
    "5901234123457",  # EAN-13, GS1's own example
    "9780306406157",  # EAN-13 / ISBN-13
    "036000291452",  # UPC-A
    "96385074",  # EAN-8
    "73513537",  # EAN-8
    "10012345678902",  # GTIN-14
]

# prefix 21, item 4 digits, 5-digit price check digit, 5-digit value
FIVE_DIGIT_CHECKED_LAYOUT = WeighedLayout(
    {"21": "price", "26": "weight"}, item_digits=4, value_check_digit=True
)
# prefix 22, item 5 digits, 4-digit price check digit, 4-digit value
FOUR_DIGIT_CHECKED_LAYOUT = WeighedLayout(
    {"22": "price", "27": "weight"}, item_digits=5, value_digits=4, value_check_digit=True
)
LAYOUTS = [DEFAULT_WEIGHED_LAYOUT, FIVE_DIGIT_CHECKED_LAYOUT, FOUR_DIGIT_CHECKED_LAYOUT]


# --- GTIN check digits --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("600108734017", 5),
        ("400638133393", 1),
        ("600123456789", 9),
        ("03600029145", 2),
        ("9638507", 4),
        ("1001234567890", 2),
        ("0", 0),
    ],
)
def test_the_gs1_check_digit_weights_digits_3_1_from_the_right(body: str, expected: int) -> None:
    assert gtin_check_digit(body) == expected


@pytest.mark.parametrize("body", ["", "12a", "\uff16\uff10\uff10"])
def test_a_check_digit_needs_ascii_digits(body: str) -> None:
    with pytest.raises(BarcodeError, match="use digits only"):
        gtin_check_digit(body)


@pytest.mark.parametrize("code", REAL_GTINS)
def test_real_product_barcodes_are_valid(code: str) -> None:
    assert is_valid_gtin(code)
    assert check_barcode(code) == code


@pytest.mark.parametrize(
    "code",
    [
        "6001087340176",  # wrong check digit
        "036000291453",
        "96385075",
        "10012345678901",
        "600108734017",  # an EAN-13 without its check digit is not a valid UPC-A here
        "1234567",  # 7 digits
        "123456789",  # 9 digits
        "600108734017500",  # 15 digits
        "",
        "12ab",
        " 6001087340175",  # whitespace is check_barcode's business, not is_valid_gtin's
        "6001087340175".translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}),  # full-width digits
    ],
)
def test_anything_but_a_gtin_with_a_right_check_digit_is_invalid(code: str) -> None:
    assert not is_valid_gtin(code)


def test_check_barcode_strips_surrounding_whitespace() -> None:
    assert check_barcode(" 6001087340175\r\n") == "6001087340175"


def test_a_wrong_check_digit_is_refused_with_the_expected_digit() -> None:
    with pytest.raises(BarcodeError) as refused:
        check_barcode("6001234567891")
    assert str(refused.value) == "barcode 6001234567891 has a wrong check digit (expected 9)"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("12ab", "'12ab' is not a barcode: use digits only"),
        ("6001-0873", "'6001-0873' is not a barcode: use digits only"),
        ("12345", "barcode 12345 has 5 digits: a barcode has 8, 12, 13 or 14 digits"),
        ("600108734017500", "barcode 600108734017500 has 15 digits"),
        ("   ", "the barcode is empty"),
    ],
)
def test_a_malformed_barcode_is_refused_with_a_message_for_the_cashier(code: str, message: str) -> None:
    with pytest.raises(BarcodeError, match=message):
        check_barcode(code)


def test_a_barcode_error_is_a_value_error() -> None:
    assert issubclass(BarcodeError, ValueError)


@pytest.mark.parametrize("body", ["600108734017", "9638507", "03600029145", "1001234567890"])
def test_make_gtin_appends_the_check_digit(body: str) -> None:
    assert make_gtin(body) in REAL_GTINS


gtin_bodies = st.sampled_from([7, 11, 12, 13]).flatmap(
    lambda length: st.text("0123456789", min_size=length, max_size=length)
)


@given(gtin_bodies)
def test_every_made_gtin_is_valid(body: str) -> None:
    code = make_gtin(body)
    assert code.startswith(body)
    assert is_valid_gtin(code)


@given(gtin_bodies, st.data())
def test_every_single_digit_change_of_a_valid_gtin_is_invalid(body: str, data: st.DataObject) -> None:
    code = make_gtin(body)
    position = data.draw(st.integers(0, len(code) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != code[position]]))
    assert not is_valid_gtin(code[:position] + digit + code[position + 1 :])


# --- GS1 price check digit ----------------------------------------------------------------------


def _weighted(digit: int, factor: int, tens: int) -> int:
    """Weighting factor by arithmetic: units of factor x d, tens added (+1) or subtracted (-1)."""
    product = digit * factor
    return (product % 10 + tens * (product // 10)) % 10


def _reference_price_check_digit(value: str) -> int:
    digits = [int(char) for char in value]
    if len(digits) == 4:  # 2-, 2-, 3, 5-; sum x 3
        factors = [(2, -1), (2, -1), (3, 0), (5, -1)]
        return sum(_weighted(d, f, t) for d, (f, t) in zip(digits, factors, strict=True)) * 3 % 10
    factors = [(5, 1), (2, -1), (5, -1), (5, 1), (2, -1)]  # 5+, 2-, 5-, 5+, 2-
    target = -sum(_weighted(d, f, t) for d, (f, t) in zip(digits, factors, strict=True)) % 10
    [check] = [c for c in range(10) if _weighted(c, 5, -1) == target]
    return check


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2875", 9),  # GS1 General Specifications example
        ("14685", 6),  # GS1 General Specifications example
        ("0000", 0),
        ("00000", 0),
    ],
)
def test_the_price_check_digit_follows_the_gs1_examples(value: str, expected: int) -> None:
    assert price_check_digit(value) == expected


@given(st.integers(4, 5).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)))
def test_the_price_check_digit_matches_the_weighting_factor_arithmetic(value: str) -> None:
    assert price_check_digit(value) == _reference_price_check_digit(value)


@given(st.integers(4, 5).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)), st.data())
def test_the_price_check_digit_catches_every_single_digit_misread(value: str, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(value) - 1))
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != value[position]]))
    assert price_check_digit(value[:position] + digit + value[position + 1 :]) != price_check_digit(value)


@pytest.mark.parametrize("value", ["123", "123456", "12a4", ""])
def test_the_price_check_digit_needs_4_or_5_digits(value: str) -> None:
    with pytest.raises(ValueError, match="4 or 5 digit"):
        price_check_digit(value)


# --- weighed-item barcodes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("2012345025998", WeighedCode("12345", "price", 2599)),  # M25.99 of item 12345
        ("2400001000012", WeighedCode("00001", "price", 1)),
        ("2500042007503", WeighedCode("00042", "weight", 750)),  # 750 g of item 00042
        (" 2500042007503\n", WeighedCode("00042", "weight", 750)),
    ],
)
def test_the_default_layout_reads_price_and_weight_codes(code: str, expected: WeighedCode) -> None:
    assert parse_weighed(code, DEFAULT_WEIGHED_LAYOUT) == expected


@pytest.mark.parametrize(
    ("layout", "code", "expected"),
    [
        (FIVE_DIGIT_CHECKED_LAYOUT, "2112346146859", WeighedCode("1234", "price", 14685)),
        (FOUR_DIGIT_CHECKED_LAYOUT, "2200123928757", WeighedCode("00123", "price", 2875)),
    ],
)
def test_a_layout_with_a_price_check_digit_reads_the_value_after_it(
    layout: WeighedLayout, code: str, expected: WeighedCode
) -> None:
    assert parse_weighed(code, layout) == expected


@pytest.mark.parametrize(
    "code",
    [
        "6001087340175",  # an ordinary product
        "0212345025990",  # restricted circulation prefix 02 is not in the layout
        "96385074",  # EAN-8
        "036000291452",  # UPC-A
        "20123450259",  # too short
        "20123450259a8",
        "",
    ],
)
def test_codes_that_are_not_in_store_codes_give_none(code: str) -> None:
    assert parse_weighed(code, DEFAULT_WEIGHED_LAYOUT) is None


def test_a_prefix_the_layout_does_not_list_gives_none() -> None:
    assert parse_weighed("2012345025998", FIVE_DIGIT_CHECKED_LAYOUT) is None


def test_an_in_store_code_with_a_wrong_check_digit_is_refused() -> None:
    with pytest.raises(BarcodeError, match=r"barcode 2012345025999 has a wrong check digit \(expected 8\)"):
        parse_weighed("2012345025999", DEFAULT_WEIGHED_LAYOUT)


def test_an_in_store_code_with_a_wrong_price_check_digit_is_refused() -> None:
    # the EAN check digit is right, the price check digit (7 instead of 6) is not
    with pytest.raises(
        BarcodeError, match=r"barcode 2112347146858 has a wrong price check digit \(expected 6\)"
    ):
        parse_weighed("2112347146858", FIVE_DIGIT_CHECKED_LAYOUT)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [("price", 2599, "2012345025998"), ("weight", 750, "2512345007500")],
)
def test_make_weighed_barcode_uses_the_first_prefix_for_the_kind(
    kind: WeighedKind, value: int, expected: str
) -> None:
    assert make_weighed_barcode("12345", kind, value, DEFAULT_WEIGHED_LAYOUT) == expected


@pytest.mark.parametrize(
    ("item_code", "kind", "value", "message"),
    [
        ("1234", "price", 100, "item code must be 5 digits"),
        ("12a45", "price", 100, "item code must be 5 digits"),
        ("12345", "price", 100_000, "does not fit in 5 digits"),
        ("12345", "weight", -1, "does not fit in 5 digits"),
    ],
)
def test_make_weighed_barcode_refuses_what_does_not_fit(
    item_code: str, kind: WeighedKind, value: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        make_weighed_barcode(item_code, kind, value, DEFAULT_WEIGHED_LAYOUT)


def test_make_weighed_barcode_needs_a_prefix_for_the_kind() -> None:
    layout = WeighedLayout({"20": "price"})
    with pytest.raises(ValueError, match="no prefix for weight"):
        make_weighed_barcode("12345", "weight", 500, layout)


@pytest.mark.parametrize(
    ("prefixes", "item_digits", "value_digits", "value_check_digit", "message"),
    [
        ({"20": "price"}, 5, 4, False, "is 12 digits, not 13"),
        ({"20": "price"}, 5, 5, True, "is 14 digits, not 13"),
        ({"20": "price"}, 6, 3, True, "only for 4 or 5 digit values"),
        ({"20": "price"}, 0, 10, False, "at least one digit"),
        ({"30": "price"}, 5, 5, False, "in-store prefixes are 20 to 29"),
        ({"2": "price"}, 5, 5, False, "in-store prefixes are 20 to 29"),
        ({"20": "volume"}, 5, 5, False, "must mean 'price' or 'weight'"),
        ({}, 5, 5, False, "at least one prefix"),
    ],
)
def test_an_impossible_layout_is_refused(
    prefixes: dict[str, WeighedKind],
    item_digits: int,
    value_digits: int,
    value_check_digit: bool,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        WeighedLayout(prefixes, item_digits, value_digits, value_check_digit)


def test_a_layout_does_not_change_when_its_source_mapping_does() -> None:
    prefixes: dict[str, WeighedKind] = {"20": "price"}
    layout = WeighedLayout(prefixes)
    prefixes["25"] = "weight"
    assert "25" not in layout.prefixes
    assert layout == WeighedLayout({"20": "price"})
    assert hash(layout) == hash(WeighedLayout({"20": "price"}))


def test_the_default_layout_uses_20_to_24_for_prices_and_25_to_29_for_weights() -> None:
    assert dict(DEFAULT_WEIGHED_LAYOUT.prefixes) == {
        **{str(prefix): "price" for prefix in range(20, 25)},
        **{str(prefix): "weight" for prefix in range(25, 30)},
    }
    assert (DEFAULT_WEIGHED_LAYOUT.item_digits, DEFAULT_WEIGHED_LAYOUT.value_digits) == (5, 5)
    assert not DEFAULT_WEIGHED_LAYOUT.value_check_digit


@given(st.sampled_from(LAYOUTS), st.sampled_from(["price", "weight"]), st.data())
def test_a_made_weighed_barcode_parses_back_to_what_made_it(
    layout: WeighedLayout, kind: WeighedKind, data: st.DataObject
) -> None:
    item_code = data.draw(st.text("0123456789", min_size=layout.item_digits, max_size=layout.item_digits))
    value = data.draw(st.integers(0, 10**layout.value_digits - 1))
    code = make_weighed_barcode(item_code, kind, value, layout)
    assert is_valid_gtin(code)
    assert len(code) == 13
    assert parse_weighed(code, layout) == WeighedCode(item_code, kind, value)
