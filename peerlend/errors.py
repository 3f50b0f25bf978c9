"""The one error type that services raise for a refused use case.

Views and API handlers turn it into a clear 4xx response (``status``) or a page
message; nothing else needs to know about HTTP.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A use case refused: bad input, a broken rule, or a state that forbids the action."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.extra = extra or {}

    def as_dict(self) -> dict[str, Any]:
        return {"detail": self.message, "code": self.code, **self.extra}


class PermissionDenied(ApplicationError):
    status = 403
    code = "forbidden"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"


class Conflict(ApplicationError):
    """The state changed under the caller (stale page, a race lost, a replay in flight)."""

    status = 409
    code = "conflict"


class Unprocessable(ApplicationError):
    status = 422
    code = "unprocessable"
