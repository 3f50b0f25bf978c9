"""API authentication: ``Authorization: Bearer <token>``, or the browser session (with CSRF)."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from peerlend.accounts.models import ApiToken, User


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User) -> str:
    """Create a token for ``user``; the raw value is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(raw))
    return raw


def revoke_token(request: HttpRequest) -> bool:
    """Revoke the bearer token of ``request`` (if it carried one); returns whether one was revoked."""
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return False
    return ApiToken.objects.filter(digest=token_digest(raw.strip()), revoked=False).update(revoked=True) > 0


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        row = (
            ApiToken.objects.select_related("user")
            .filter(digest=token_digest(token), revoked=False, user__is_active=True)
            .first()
        )
        if row is None:
            return None
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
        request.user = row.user
        return row.user


# Routers pass this as ``auth=``: token first, then the logged-in session (CSRF-checked).
api_auth = [BearerAuth(), SessionAuth(csrf=True)]
