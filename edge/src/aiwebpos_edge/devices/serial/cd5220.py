"""What a 2×20 VFD pole display in CD5220 mode is sent, and the lines the till shows on it (pure).

Command set: "CD5220 Standard Mode Command List" of the CD5220/CD6220 customer display user's manual
(section 7.2; the same table is in the POS-X XP8200 manual, section 4.1.8):
  ESC @            1B 40                initialise the display
  CLR              0C                   clear the screen and leave string mode
  ESC Q A … CR     1B 51 41 [n]×20 0D   write the upper line (string mode)
  ESC Q B … CR     1B 51 42 [n]×20 0D   write the lower line
While in string mode only CLR is accepted, so every screen starts with CLR. The display knows ASCII only
(its other code pages differ from model to model): text is folded to printable ASCII first.
"""

import unicodedata

from aiwebpos_edge.formatting import format_maloti

WIDTH = 20
INITIALISE = b"\x1b@"
CLEAR = b"\x0c"
UPPER_LINE = b"\x1bQA"
LOWER_LINE = b"\x1bQB"
END_OF_LINE = b"\r"

Screen = tuple[str, str]  # (upper line, lower line)

# Characters NFKD does not take apart into ASCII, but that have an obvious ASCII look-alike.
_LOOK_ALIKES = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "−": "-",
        "…": "...", "•": "*", "·": ".", "×": "x", "÷": "/", "€": "E", "£": "L", "ß": "ss", "æ": "ae",
        "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L",
        "\u00a0": " ",
    }
)  # fmt: skip


def to_display_ascii(text: str) -> str:
    """Folds to printable ASCII: "Lesotho ñ" -> "Lesotho n"; control characters become spaces, others "?"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LOOK_ALIKES))
    folded = []
    for char in decomposed:
        if unicodedata.combining(char):
            continue
        if char.isascii():
            folded.append(char if char.isprintable() else " ")
        else:
            folded.append("?")
    return "".join(folded)


def fit(text: str) -> str:
    """Exactly one line: folded, cut or padded to 20 characters."""
    return to_display_ascii(text)[:WIDTH].ljust(WIDTH)


def encode_screen(upper: str, lower: str) -> bytes:
    return (
        CLEAR
        + UPPER_LINE
        + fit(upper).encode("ascii")
        + END_OF_LINE
        + LOWER_LINE
        + fit(lower).encode("ascii")
        + END_OF_LINE
    )


def left_right(left: str, right: str) -> str:
    """`left` cut short, never `right` (an amount): "Sunlight soap  M12.50"."""
    right = to_display_ascii(right)[:WIDTH]
    room = WIDTH - len(right) - 1
    left = to_display_ascii(left)[:room] if room > 0 else ""
    return left.ljust(WIDTH - len(right)) + right


def centred(text: str) -> str:
    return to_display_ascii(text)[:WIDTH].center(WIDTH)


def item_line(name: str, amount_cents: int) -> str:
    return left_right(name, format_maloti(amount_cents))


def total_line(total_cents: int, label: str = "TOTAL") -> str:
    return left_right(label, format_maloti(total_cents))


def item_screen(name: str, amount_cents: int, total_cents: int) -> Screen:
    """After a scan: the item and its amount above, the running total below."""
    return item_line(name, amount_cents), total_line(total_cents)


def total_screen(total_cents: int) -> Screen:
    """When the cashier asks for payment."""
    return fit("TOTAL"), left_right("", format_maloti(total_cents))


def change_screen(paid_cents: int, change_cents: int) -> Screen:
    return total_line(paid_cents, "PAID"), total_line(change_cents, "CHANGE")


def welcome_screen(store_name: str, greeting: str = "Welcome") -> Screen:
    """Between customers."""
    return centred(greeting), centred(store_name)
