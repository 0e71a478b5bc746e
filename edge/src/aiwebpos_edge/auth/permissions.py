"""Who may do what: one matrix of permissions by role (the roles are the contracts' `STORE_ROLES`), checked
by the auth middleware on every route."""

from collections.abc import Iterable

from aiwebpos_contracts.commands import STORE_ROLES

# Roles whose PIN can approve what needs a manager (discounts over the limit, large returns, overrides).
APPROVER_ROLES: frozenset[str] = frozenset({"manager", "admin"})

_EVERYONE = frozenset(STORE_ROLES)
_SELLERS = frozenset({"admin", "manager", "cashier"})
_MANAGERS = frozenset({"admin", "manager"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "session.self": _EVERYONE,  # see yourself, log out
    "catalog.read": _EVERYONE,
    "catalog.write": _MANAGERS,
    "sales.sell": _SELLERS,
    "sales.read": _SELLERS | {"analyst"},
    "returns.create": _SELLERS,
    "shifts.operate": _SELLERS,
    "shifts.read": _SELLERS | {"analyst"},
    "drawer.open": _SELLERS,
    "customers.read": _SELLERS | {"analyst"},
    "customers.write": _MANAGERS,
    "accounts.receive": _SELLERS,
    "stock.read": _MANAGERS | {"analyst", "logistics"},
    "stock.adjust": _MANAGERS | {"logistics"},
    "users.read": _MANAGERS | {"hr"},
    "users.manage": frozenset({"admin"}),
    "config.read": _EVERYONE,
    "config.write": frozenset({"admin"}),
    "audit.read": _MANAGERS,
    "sync.read": _EVERYONE,
    "models.read": _EVERYONE,
    "fraud.read": _MANAGERS | {"analyst"},  # local fraud scores and their reasons: not the cashier's own
    "forecast.read": _MANAGERS | {"analyst", "logistics"},  # demand forecast and reorder suggestions
    "devices.read": _EVERYONE,  # device health, print queue, scale reading, the till's device events
    "devices.print": _SELLERS,  # reprint a receipt (marked COPY), print a report, retry a printer now
    "devices.manage": _MANAGERS,  # cancel a queued print job
}


def allowed(roles: Iterable[str], permission: str) -> bool:
    granted = PERMISSIONS[permission]
    return any(role in granted for role in roles)


def can_approve(roles: Iterable[str]) -> bool:
    return any(role in APPROVER_ROLES for role in roles)
