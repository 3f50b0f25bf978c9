"""Read queries of the accounts context."""

from __future__ import annotations

from typing import Any

from peerlend.accounts.models import Identity


def is_kyc_verified(user: Any) -> bool:
    """Whether ``user`` has a verified real-name identity (anonymous users never have one)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return Identity.objects.filter(user_id=user.pk).exists()
