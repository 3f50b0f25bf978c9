"""Use cases of the accounts context that change state; each is atomic."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from peerlend.accounts.selectors import is_kyc_verified
from peerlend.errors import PermissionDenied


def require_kyc(user: Any) -> None:
    """Refuse (403 ``kyc_required``) unless ``user`` passed real-name verification.

    Investing, borrowing, deposits and withdrawals call this first.
    """
    if not is_kyc_verified(user):
        raise PermissionDenied(_("complete real-name verification (KYC) first"), code="kyc_required")


def require_role(user: Any, *roles: str) -> None:
    """Refuse (403 ``forbidden_role``) unless ``user`` holds at least one of ``roles``."""
    held = set(getattr(user, "roles", None) or []) if getattr(user, "is_authenticated", False) else set()
    if not held.intersection(roles):
        raise PermissionDenied(
            _("this action needs one of the roles: %(roles)s") % {"roles": ", ".join(roles)},
            code="forbidden_role",
        )
