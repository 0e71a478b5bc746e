"""A Document to ESC/POS bytes, through python-escpos (its code pages, QR codes and capability profiles)."""

from escpos.printer import Dummy

from aiwebpos_edge.devices.printing.document import Document, Feed, Qr, Text
from aiwebpos_edge.devices.printing.profiles import PrinterProfile


def render(document: Document, profile: PrinterProfile) -> bytes:
    """The whole job as bytes, so that a job reaches the printer in one write (or not at all)."""
    printer = Dummy(profile=profile.escpos_profile)
    printer.hw("INIT")
    if document.kick_drawer:
        printer.cashdraw(profile.drawer_pin)
    for op in document.ops:
        if isinstance(op, Text):
            printer.set(
                align=op.align,
                bold=op.bold,
                double_height=op.large,
                double_width=op.large,
                normal_textsize=not op.large,
            )
            printer.textln(op.text)
        elif isinstance(op, Qr):
            printer.set(align="center", normal_textsize=True, bold=False)
            if profile.native_qr:
                printer.qr(op.content, size=6, native=True)
            else:
                printer.qr(op.content, size=6, native=False, center=True)
        elif isinstance(op, Feed):
            printer.ln(op.lines)
    printer.set(align="left", bold=False, normal_textsize=True)
    if document.cut and document.ops:
        if profile.cut:
            printer.cut()
        else:
            printer.ln(4)  # no cutter: feed the text past the tear bar
    data: bytes = printer.output
    printer.close()
    return data
