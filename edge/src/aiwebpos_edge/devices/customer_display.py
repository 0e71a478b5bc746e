"""What the customer sees on the pole display as a sale goes along (pure)."""

from aiwebpos_edge.devices.serial import cd5220
from aiwebpos_edge.sales.models import SaleView


def sale_screen(view: SaleView, store_name: str) -> cd5220.Screen:
    if view.status in ("cancelled", "suspended"):
        return cd5220.welcome_screen(store_name)
    if view.status == "completed":
        return cd5220.change_screen(view.paid_cents, view.change_cents)
    if view.payments:
        return cd5220.total_line(view.paid_cents, "PAID"), cd5220.total_line(view.outstanding_cents, "TO PAY")
    live = [line for line in view.lines if not line.voided]
    if not live:
        return cd5220.total_screen(view.total_due_cents)
    last = live[-1]
    return cd5220.item_screen(last.name, last.total_cents, view.total_due_cents)
