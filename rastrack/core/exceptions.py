"""Domain errors raised by services and mapped to HTTP answers in one place.

Services raise these; the API's exception handler (rastrack.core.api.exceptions) and the
web views turn them into 400 / 403 / 404 / 409, the codes every client relies on.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """A request that breaks a rule: 400. `errors` maps field names to messages."""

    status_code = 400

    def __init__(self, message: str = "", errors: dict[str, list[str]] | None = None):
        self.message = message
        self.errors = errors or {}
        super().__init__(message or "; ".join(m for ms in self.errors.values() for m in ms))

    def as_payload(self) -> dict:
        if self.errors:
            return {field: list(messages) for field, messages in self.errors.items()}
        return {"detail": self.message}


class Conflict(ApplicationError):
    """The action is not allowed in the object's current state, or duplicates one: 409."""

    status_code = 409


class NotPermitted(ApplicationError):
    """The caller may see the object but not act on it: 403."""

    status_code = 403


class NotFound(ApplicationError):
    """The object does not exist or is outside the caller's scope: 404 (same answer)."""

    status_code = 404
