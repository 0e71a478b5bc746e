"""Fixed-width text for receipt paper: label left, amount right, wrapping long names."""

import textwrap
import unicodedata


def fold_to_ascii(text: str) -> str:
    """Receipt printers' code pages vary: letters lose accents rather than print as '?'."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return folded.encode("ascii", "replace").decode("ascii")


def pair(left: str, right: str, width: int) -> str:
    """`left` and `right` on one line of `width`, the left part cut short when both do not fit."""
    room = width - len(right) - 1
    if room < 1:
        return right[-width:]
    return f"{left[:room]:<{room}} {right}"


def pair_or_two_lines(left: str, right: str, width: int) -> list[str]:
    """Both on one line when they fit, else one under the other (a date is never cut short)."""
    if len(left) + 1 + len(right) <= width:
        return [pair(left, right, width)]
    return [left[:width], right[:width]]


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width, subsequent_indent=indent, break_long_words=True) or [""]


def rule(width: int, char: str = "-") -> str:
    return char * width


def table_row(cells: list[str], widths: list[int]) -> str:
    """Cells right-aligned in their widths, the first left-aligned: a VAT breakdown row."""
    first, *rest = cells
    out = f"{first:<{widths[0]}}"[: widths[0]]
    for cell, w in zip(rest, widths[1:], strict=True):
        out += f"{cell:>{w}}"[-w:]
    return out
