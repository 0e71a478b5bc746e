"""Who may do what at HQ: one matrix by role, checked by one guard on every route (as on the node)."""

from collections.abc import Iterable

HQ_ROLES: tuple[str, ...] = ("admin", "manager", "analyst", "logistics", "hr")

_EVERYONE = frozenset(HQ_ROLES)
PERMISSIONS: dict[str, frozenset[str]] = {
    "session.self": _EVERYONE,
    "fleet.read": frozenset({"admin", "manager", "analyst", "logistics"}),
    "dashboards.read": frozenset({"admin", "manager", "analyst"}),
    "commands.read": frozenset({"admin", "manager", "logistics"}),
    "catalog.read": frozenset({"admin", "manager", "analyst", "logistics"}),  # the master, price lists
    "catalog.edit": frozenset({"admin", "manager"}),
    "catalog.push": frozenset({"admin", "manager"}),  # products and prices, to stores
    "settings.push": frozenset({"admin"}),  # VAT rates, discount limits
    "store_users.push": frozenset({"admin", "hr"}),  # users and roles at the stores
    "reviews.read": frozenset({"admin", "manager", "analyst"}),  # price proposals, fraud alerts
    "prices.decide": frozenset({"admin", "manager"}),  # approve or reject the pricing model's proposals
    "fraud.review": frozenset({"admin", "manager"}),  # confirm or dismiss the fraud model's alerts
    "users.manage": frozenset({"admin"}),  # HQ's own users
    "audit.read": frozenset({"admin"}),
}


def allowed(roles: Iterable[str], permission: str) -> bool:
    return any(role in PERMISSIONS[permission] for role in roles)
