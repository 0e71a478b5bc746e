"""What a payload must be, beyond its contract Struct, for every table to take its rows.

The contracts carry quantities and VAT rates as decimal strings and money as integers without bounds.
The lakehouse stores them as DECIMAL(18, 3), DECIMAL(9, 4) and 64-bit integers; a value outside those
would fail the derived tables' commit after `events` took it, and block the ingest on that batch. So such
a message is refused up front, as a dead letter that names the field.

Only the fields that can overflow a column are looked at: from the Struct definitions, once per payload
type (at import for `EVENT_PAYLOADS`), a checker is compiled that visits the decimal strings and the
integers and nothing else (strings, booleans, literals and free-form dicts cannot overflow). A field
typed `Any` (or an unusual union) is walked in full, as every field used to be.
"""

import re
from collections.abc import Callable
from typing import Any

import msgspec

from aiwebpos_contracts import EVENT_PAYLOADS

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
# field name → (digits before the point, digits after it) that its table column holds
_DECIMALS = {"quantity": (15, 3), "on_hand": (15, 3), "vat_rate": (5, 4), "rate": (5, 4)}
_DECIMAL = re.compile(r"[+-]?(?P<whole>\d+)(?:\.(?P<fraction>\d*))?")

# A problem found: (path below the value checked, e.g. ".receipt.lines[0].quantity", what is wrong).
Problem = tuple[str, str]
Check = Callable[[Any], Problem | None]
# A field a Struct's checker looks at: (name, kind, the decimal's digits, the checker of its contents).
_Field = tuple[str, str, tuple[int, int], Check | None]
_INT_FIELD, _DECIMAL_FIELD, _OTHER_FIELD = "int", "decimal", "other"


def storable_problem(value: Any, path: str = "$") -> str | None:
    """The first value that no lakehouse column could hold, described, or None."""
    check = _checker(type(value)) if isinstance(value, msgspec.Struct) else _walk
    problem = check(value) if check is not None else None
    return None if problem is None else f"{path}{problem[0]} {problem[1]}"


def _int_problem(value: int) -> str:
    return f"= {value} does not fit a 64-bit integer"


def _decimal_problem(text: str, whole_digits: int, fraction_digits: int) -> str | None:
    if text.isascii() and text.isdigit() and len(text.lstrip("0")) <= whole_digits:
        return None  # the usual "1" or "15", without the regex
    match = _DECIMAL.fullmatch(text)
    if match is None:
        return f"{text!r} is not a decimal number"
    whole = match["whole"].lstrip("0")
    fraction = (match["fraction"] or "").rstrip("0")
    if len(whole) > whole_digits or len(fraction) > fraction_digits:
        return f"{text!r} has more digits than {whole_digits}.{fraction_digits} allows"
    return None


def _walk(value: Any) -> Problem | None:
    """Every field of every Struct and every list item (for values whose type says nothing)."""
    if isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            field = getattr(value, name)
            if name in _DECIMALS and isinstance(field, str):
                problem = _decimal_problem(field, *_DECIMALS[name])
                if problem:
                    return f".{name}", problem
            elif (found := _walk(field)) is not None:
                return f".{name}{found[0]}", found[1]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (found := _walk(item)) is not None:
                return f"[{index}]{found[0]}", found[1]
    elif isinstance(value, int) and not isinstance(value, bool) and not _INT64_MIN <= value <= _INT64_MAX:
        return "", _int_problem(value)
    return None


# Struct type → its compiled checker (None: nothing in it can overflow)
_CHECKERS: dict[type, Check | None] = {}
_IN_PROGRESS: set[type] = set()


def _checker(struct: type) -> Check | None:
    """The compiled checker of a Struct type, or None if none of its fields can overflow."""
    if struct in _IN_PROGRESS:
        return _walk  # a Struct that contains itself: walk the inner ones in full
    if struct not in _CHECKERS:
        info = msgspec.inspect.type_info(struct)
        assert isinstance(info, msgspec.inspect.StructType)
        _CHECKERS[struct] = _compile_struct(info)
    return _CHECKERS[struct]


def _compile(info: msgspec.inspect.Type) -> Check | None:
    """A checker for values of this type, or None when no value of it can overflow a column."""
    if isinstance(info, msgspec.inspect.IntType):
        return _check_int
    if isinstance(info, msgspec.inspect.StructType):
        return _checker(info.cls)
    if isinstance(info, msgspec.inspect.ListType):
        item = _compile(info.item_type)
        return None if item is None else _list_checker(item)
    if isinstance(info, msgspec.inspect.UnionType):
        members = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
        if len(members) == 1:
            inner = _compile(members[0])
            return None if inner is None else _optional_checker(inner)
        if all(_compile(member) is None for member in members):
            return None
        return _walk
    if isinstance(
        info,
        msgspec.inspect.StrType
        | msgspec.inspect.BoolType
        | msgspec.inspect.FloatType
        | msgspec.inspect.LiteralType
        | msgspec.inspect.NoneType
        | msgspec.inspect.DictType,  # the full walk never looked inside dicts either
    ):
        return None
    return _walk  # Any, tuples, sets and the rest: every field, as it comes


def _compile_struct(info: msgspec.inspect.StructType) -> Check | None:
    """Checks, in field order, of the fields that can overflow: ints, decimal strings, and containers."""
    _IN_PROGRESS.add(info.cls)
    try:
        fields: list[_Field] = []
        for field in info.fields:
            check = _compile(field.type)
            if field.name in _DECIMALS and _admits_str(field.type):
                fields.append((field.name, _DECIMAL_FIELD, _DECIMALS[field.name], check))
            elif check is _check_int:
                fields.append((field.name, _INT_FIELD, (0, 0), None))
            elif check is not None:
                fields.append((field.name, _OTHER_FIELD, (0, 0), check))
    finally:
        _IN_PROGRESS.discard(info.cls)
    return _struct_checker(tuple(fields)) if fields else None


def _admits_str(info: msgspec.inspect.Type) -> bool:
    if isinstance(info, msgspec.inspect.UnionType):
        return any(_admits_str(member) for member in info.types)
    return isinstance(info, msgspec.inspect.StrType | msgspec.inspect.AnyType)


def _check_int(value: Any) -> Problem | None:
    if type(value) is int and not _INT64_MIN <= value <= _INT64_MAX:
        return "", _int_problem(value)
    return None


def _optional_checker(inner: Check) -> Check:
    def check(value: Any) -> Problem | None:
        return None if value is None else inner(value)

    return check


def _list_checker(item: Check) -> Check:
    if item is _check_int:

        def check_ints(values: Any) -> Problem | None:
            for index, value in enumerate(values):
                if type(value) is int and not _INT64_MIN <= value <= _INT64_MAX:
                    return f"[{index}]", _int_problem(value)
            return None

        return check_ints

    def check(values: Any) -> Problem | None:
        for index, value in enumerate(values):
            if (found := item(value)) is not None:
                return f"[{index}]{found[0]}", found[1]
        return None

    return check


def _struct_checker(fields: tuple[_Field, ...]) -> Check:
    def check(value: Any) -> Problem | None:
        for name, kind, digits, inner in fields:
            field = getattr(value, name)
            if kind is _INT_FIELD:
                if type(field) is int and not _INT64_MIN <= field <= _INT64_MAX:
                    return f".{name}", _int_problem(field)
            elif kind is _DECIMAL_FIELD and isinstance(field, str):
                if (problem := _decimal_problem(field, *digits)) is not None:
                    return f".{name}", problem
            elif inner is not None and (found := inner(field)) is not None:
                return f".{name}{found[0]}", found[1]
        return None

    return check


for _payload in EVENT_PAYLOADS.values():  # compile every contract payload's checker once, at import
    _checker(_payload)
