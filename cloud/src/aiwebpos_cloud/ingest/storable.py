"""What a payload must be, beyond its contract Struct, for every table to take its rows.

The contracts carry quantities and VAT rates as decimal strings and money as integers without bounds.
The lakehouse stores them as DECIMAL(18, 3), DECIMAL(9, 4) and 64-bit integers; a value outside those
would fail the derived tables' commit after `events` took it, and block the ingest on that batch. So such
a message is refused up front, as a dead letter that names the field.
"""

import re
from typing import Any

import msgspec

_INT64 = range(-(2**63), 2**63)
# field name → (digits before the point, digits after it) that its table column holds
_DECIMALS = {"quantity": (15, 3), "on_hand": (15, 3), "vat_rate": (5, 4), "rate": (5, 4)}
_DECIMAL = re.compile(r"[+-]?(?P<whole>\d+)(?:\.(?P<fraction>\d*))?")


def storable_problem(value: Any, path: str = "$") -> str | None:
    """The first value that no lakehouse column could hold, described, or None."""
    if isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            field = getattr(value, name)
            if name in _DECIMALS and isinstance(field, str):
                problem = _decimal_problem(field, *_DECIMALS[name])
                if problem:
                    return f"{path}.{name} {problem}"
            elif (problem := storable_problem(field, f"{path}.{name}")) is not None:
                return problem
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if (problem := storable_problem(item, f"{path}[{index}]")) is not None:
                return problem
    elif isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
        return f"{path} = {value} does not fit a 64-bit integer"
    return None


def _decimal_problem(text: str, whole_digits: int, fraction_digits: int) -> str | None:
    match = _DECIMAL.fullmatch(text)
    if match is None:
        return f"{text!r} is not a decimal number"
    whole = match["whole"].lstrip("0")
    fraction = (match["fraction"] or "").rstrip("0")
    if len(whole) > whole_digits or len(fraction) > fraction_digits:
        return f"{text!r} has more digits than {whole_digits}.{fraction_digits} allows"
    return None
