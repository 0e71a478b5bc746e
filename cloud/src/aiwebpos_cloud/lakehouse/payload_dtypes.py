"""Polars dtypes of the event payloads, generated from the contract Structs (one source of truth).

Polars decodes a payload column with `str.json_decode(payload_dtype(event_type))`: fields the contract
has become typed columns; fields a newer store adds are ignored here and stay in `events.payload`.
"""

from functools import cache
from typing import Any

import msgspec
import polars as pl

from aiwebpos_contracts import EVENT_PAYLOADS


@cache
def payload_dtype(event_type: str) -> pl.DataType:
    return polars_dtype(msgspec.inspect.type_info(EVENT_PAYLOADS[event_type]))


def polars_dtype(info: msgspec.inspect.Type) -> pl.DataType:
    if isinstance(info, msgspec.inspect.StructType):
        fields: dict[str, Any] = {}
        for field in info.fields:
            dtype = _optional(field.type)
            if dtype is not None:
                fields[field.encode_name] = dtype
        return pl.Struct(fields)
    dtype = _optional(info)
    if dtype is None:
        raise TypeError(f"no Polars dtype for {info!r}")
    return dtype


def _optional(info: msgspec.inspect.Type) -> pl.DataType | None:
    """The dtype of a field, or None for a field the tables do not use (free-form dicts)."""
    if isinstance(info, msgspec.inspect.UnionType):
        members = [t for t in info.types if not isinstance(t, msgspec.inspect.NoneType)]
        return _optional(members[0]) if len(members) == 1 else None
    if isinstance(info, msgspec.inspect.StructType):
        return polars_dtype(info)
    if isinstance(info, msgspec.inspect.ListType):
        item = _optional(info.item_type)
        return pl.List(item) if item is not None else None
    if isinstance(info, msgspec.inspect.IntType):
        return pl.Int64()
    if isinstance(info, msgspec.inspect.FloatType):
        return pl.Float64()
    if isinstance(info, msgspec.inspect.BoolType):
        return pl.Boolean()
    if isinstance(info, msgspec.inspect.StrType | msgspec.inspect.LiteralType):
        return pl.String()
    return None
