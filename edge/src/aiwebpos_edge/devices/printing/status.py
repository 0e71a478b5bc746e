"""What a printer's real-time status bytes (ESC/POS DLE EOT n) mean for the till (pure).

Epson's ESC/POS reference, DLE EOT: every answer byte has bits 1 and 4 set (0x12) and bit 7 clear.
n=1 printer status: bit 3 offline. n=2 offline cause: bit 2 cover open, bit 3 paper being fed by the
button, bit 5 stopped at paper end, bit 6 error. n=4 roll paper sensor: bits 2-3 near end, bits 5-6 end.
"""

import msgspec

QUERY_PRINTER, QUERY_OFFLINE_CAUSE, QUERY_ERROR_CAUSE, QUERY_PAPER = 1, 2, 3, 4


class Condition(msgspec.Struct, frozen=True):
    state: str  # "ok", "paper_low", "paper_out", "cover_open", "error", "offline"
    detail: str | None = None

    @property
    def can_print(self) -> bool:
        return self.state in ("ok", "paper_low")


OK = Condition("ok")


def _valid(byte: int | None) -> bool:
    return byte is not None and byte & 0x93 == 0x12


def condition(offline_cause: int | None, paper: int | None) -> Condition:
    """From the answers to DLE EOT 2 and DLE EOT 4 (None: no answer)."""
    if offline_cause is None or paper is None:
        return Condition("offline", "the printer does not answer: is it switched on?")
    if not (_valid(offline_cause) and _valid(paper)):
        return Condition("error", f"the printer answered nonsense ({offline_cause:#04x}, {paper:#04x})")
    if paper & 0x60 or offline_cause & 0x20:
        return Condition("paper_out", "out of paper: load a new roll")
    if offline_cause & 0x04:
        return Condition("cover_open", "the printer's cover is open: close it")
    if offline_cause & 0x40:
        return Condition("error", "the printer reports an error: switch it off and on")
    if paper & 0x0C:
        return Condition("paper_low", "paper is running low")
    return OK
