"""A printed document as a list of plain operations: easy to lay out, test and render to ESC/POS.

The layout (layout.py) makes these from a receipt or a report; escpos_output.py turns them into printer
commands. Neither knows about the other.
"""

from typing import Literal

import msgspec

Align = Literal["left", "center", "right"]


class Text(msgspec.Struct, tag="text", kw_only=True):
    text: str
    align: Align = "left"
    bold: bool = False
    large: bool = False  # double width and height: store name, TOTAL, COPY


class Qr(msgspec.Struct, tag="qr", kw_only=True):
    content: str


class Feed(msgspec.Struct, tag="feed", kw_only=True):
    lines: int = 1


Op = Text | Qr | Feed


class Document(msgspec.Struct, kw_only=True):
    ops: list[Op]
    kick_drawer: bool = False  # open the cash drawer before printing (cash tendered, no-sale)
    cut: bool = True

    def text(self) -> str:
        """The words on the paper, one line each: what a person reading the receipt sees."""
        return "\n".join(op.text for op in self.ops if isinstance(op, Text))
