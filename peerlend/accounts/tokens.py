"""API bearer tokens: issue, check, refresh, list and revoke (services and selectors of one small model).

Only a token's SHA-256 digest is stored; the raw value is shown once, at issue. Every token
expires ``PEERLEND_API_TOKEN_DAYS`` after issue; a member renews it with ``refresh`` (the old
one is revoked in the same transaction) and sees and revokes their tokens on a page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.accounts.models import ApiToken, User
from peerlend.errors import ApplicationError, NotFound

# How precisely a token's last use is kept (and so how often a request with it may write).
LAST_USED_PRECISION = dt.timedelta(hours=1)


class TokenExpired(ApplicationError):
    status = 401
    code = "token_expired"


@dataclass(frozen=True)
class IssuedToken:
    raw: str
    token: ApiToken


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "PEERLEND_API_TOKEN_DAYS", 30)))


def issue(user: User) -> IssuedToken:
    """Create a token for ``user``; the raw value is returned once and never stored."""
    raw = secrets.token_urlsafe(32)
    row = ApiToken.objects.create(user=user, digest=token_digest(raw), expires_at=timezone.now() + token_lifetime())
    return IssuedToken(raw=raw, token=row)


def authenticate(raw: str) -> ApiToken | None:
    """The live token for ``raw``, or None if unknown, revoked or its user inactive.

    Raises ``TokenExpired`` (401 ``token_expired``) for a known token past its expiry, so that
    clients know to log in again rather than suspect a typo.
    """
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked=False, user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.expires_at <= now:
        raise TokenExpired(_("the API token has expired: log in again or refresh it before it expires"))
    record_use(row, now=now)
    return row


def record_use(row: ApiToken, *, now: dt.datetime) -> bool:
    """Note that ``row`` was used at ``now``, at most once per ``LAST_USED_PRECISION``; returns whether it wrote.

    Owners see when each token was last used (to spot one they did not expect to be in use), and an
    hour is precise enough for that. This is the one write an authenticated read may make: a
    conditional UPDATE, skipped without a statement while the loaded value is recent, and which lets
    only one of several requests racing on the same token through.
    """
    since = now - LAST_USED_PRECISION
    if row.last_used_at is not None and row.last_used_at >= since:
        return False
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=since)
    written = ApiToken.objects.filter(stale, pk=row.pk).update(last_used_at=now) == 1
    row.last_used_at = now
    return written


def refresh(raw: str) -> IssuedToken:
    """Swap a live token for a new one; the old one is revoked. Expired or revoked ones cannot refresh."""
    with transaction.atomic():
        row = authenticate(raw)
        if row is None or ApiToken.objects.filter(pk=row.pk, revoked=False).update(revoked=True) != 1:
            raise ApplicationError(_("authentication required"), code="unauthorized", status=401)
        return issue(row.user)


def revoke_raw(raw: str) -> bool:
    """Revoke the token whose raw value is ``raw``; returns whether one was revoked."""
    return ApiToken.objects.filter(digest=token_digest(raw), revoked=False).update(revoked=True) > 0


def revoke(user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens by id; someone else's token is not found."""
    row = ApiToken.objects.filter(pk=token_id, user=user).first()
    if row is None:
        raise NotFound(_("no such API token"))
    if not row.revoked:
        ApiToken.objects.filter(pk=row.pk).update(revoked=True)
        row.revoked = True
    return row


def tokens_of(user: User) -> QuerySet[ApiToken]:
    """``user``'s tokens, newest first (the digest is for lookups only: never show it)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
