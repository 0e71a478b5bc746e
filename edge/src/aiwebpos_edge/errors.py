"""Domain errors: raised by services in the user's words, mapped to HTTP answers in one place (app.py)."""

from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status_code = 404


class Invalid(DomainError):
    """The request is well-formed but its values break a rule (a zero quantity, a wrong check digit)."""

    status_code = 422


class Conflict(DomainError):
    """The request does not fit the current state (paying a completed sale, returning twice)."""

    status_code = 409


class Forbidden(DomainError):
    status_code = 403


class ApprovalRequired(Forbidden):
    """Allowed only with a manager's approval: the till asks for a manager's PIN and sends it again."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail, approval_required=True, **extra)


class Unauthorized(DomainError):
    status_code = 401


class Locked(DomainError):
    status_code = 429
