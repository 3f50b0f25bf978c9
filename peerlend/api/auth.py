"""API authentication: ``Authorization: Bearer <token>``, or the browser session (with CSRF).

Without a bearer token and without a logged-in session the answer is 401 ``unauthorized``;
only a logged-in session that lacks the CSRF token gets 403 ``csrf_failed``.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from peerlend.accounts import tokens
from peerlend.accounts.models import User
from peerlend.errors import PermissionDenied

token_digest = tokens.token_digest


def issue_token(user: User) -> str:
    """Create a token for ``user``; the raw value is returned once and never stored."""
    return tokens.issue(user).raw


def bearer_value(request: HttpRequest) -> str | None:
    """The raw bearer token of ``request``, if it carries one."""
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    return raw.strip()


def revoke_token(request: HttpRequest) -> bool:
    """Revoke the bearer token of ``request`` (if it carried one); returns whether one was revoked."""
    raw = bearer_value(request)
    return tokens.revoke_raw(raw) if raw else False


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = tokens.authenticate(token)  # raises TokenExpired: 401 token_expired
        if row is None:
            return None
        request.user = row.user
        request.api_token = row  # type: ignore[attr-defined]
        return row.user


class LoggedInSessionAuth(SessionAuth):
    """The session, CSRF-checked only when there is a logged-in user.

    django-ninja checks CSRF before it looks at the session, so an anonymous write got
    "403 CSRF check Failed"; with no session there is nothing to forge, and the truthful
    answer is 401.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError as exc:  # ninja's 403: keep the status, give it our error shape
            if exc.status_code != 403:
                raise
            raise PermissionDenied(_("CSRF check failed: send the X-CSRFToken header with the session"),
                                   code="csrf_failed") from None


# Routers pass this as ``auth=``: token first, then the logged-in session (CSRF-checked).
api_auth = [BearerAuth(), LoggedInSessionAuth(csrf=True)]
