"""The body of a return."""

from typing import Literal

import msgspec


class ReturnLineIn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    line_id: int
    quantity: str


class NewReturn(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    terminal_id: str
    receipt_no: str
    lines: list[ReturnLineIn]
    refund_method: Literal["cash", "card", "mobile_money", "account"]
    reason: str
    reference: str | None = None  # card or mobile money refund reference
    approver_pin: str | None = None  # needed above the store's return limit
