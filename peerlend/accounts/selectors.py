"""Read queries of the accounts context."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from peerlend.accounts.models import Identity, IdentityReview, ServicePoint, User


def is_kyc_verified(user: Any) -> bool:
    """Whether ``user`` has a verified real-name identity (anonymous users never have one)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return Identity.objects.filter(user_id=user.pk).exists()


def kyc_verified_ids(user_ids: list[int]) -> set[int]:
    """:func:`is_kyc_verified` of many users by id, in one query."""
    return set(Identity.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True))


def identity_of(user: Any) -> Identity | None:
    """The user's verified identity, or None."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    return Identity.objects.filter(user_id=user.pk).select_related("service_point", "verified_by").first()


def masked_identity(user: Any) -> dict[str, Any] | None:
    """What may be shown about the identity: masked values, channel, point and agent; no plaintext."""
    identity = identity_of(user)
    if identity is None:
        return None
    return {
        **identity.masked(),
        "channel": identity.channel,
        "service_point": identity.service_point.code if identity.service_point else None,
        "verified_by": identity.verified_by.username if identity.verified_by else None,
        "verified_at": identity.verified_at,
    }


def identity_kind(user: Any) -> str | None:
    """``"person"`` or ``"company"`` as verified at KYC (None without a verified identity)."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    return Identity.objects.filter(user_id=user.pk).values_list("kind", flat=True).first()


def kyc_status(user: Any) -> str:
    """``"verified"``, ``"under_review"`` (a KYC submission waits for compliance staff) or ``"unverified"``."""
    if is_kyc_verified(user):
        return "verified"
    if getattr(user, "pk", None) is not None and IdentityReview.objects.filter(
            user_id=user.pk, status=IdentityReview.Status.PENDING).exists():
        return "under_review"
    return "unverified"


def identity_reviews(status: str | None = IdentityReview.Status.PENDING) -> QuerySet[IdentityReview]:
    """KYC submissions held for review, oldest first, for compliance staff (masked values only).

    The caller checks the role (compliance officer or admin); ``status=None`` lists every case.
    """
    qs = IdentityReview.objects.select_related("user", "existing_user", "submitted_by", "service_point",
                                               "closed_by")
    if status is not None:
        qs = qs.filter(status=status)
    return qs.order_by("created_at", "pk")


def active_points_of(agent: Any) -> QuerySet[ServicePoint]:
    """Active service points where ``agent`` has an active membership."""
    return ServicePoint.objects.filter(
        active=True, memberships__agent_id=getattr(agent, "pk", None), memberships__active=True
    ).order_by("code")


def members_registered_by(agent: Any) -> QuerySet[User]:
    """Members this agent registered or verified in person, newest first."""
    from django.db.models import Q

    return (
        User.objects.filter(Q(registered_by_id=agent.pk) | Q(identity__verified_by_id=agent.pk))
        .select_related("identity", "registered_point")
        .distinct()
        .order_by("-date_joined")
    )


def members_sharing_contact(user: Any) -> list[int]:
    """Ids of other members whose verified identity has the same mobile number or bank card.

    The same human is not "another member": a person's own account and a company account they
    represent (same resident ID) may share a mobile number.
    """
    identity = identity_of(user)
    if identity is None:
        return []
    from django.db.models import Q

    match = Q()
    if identity.mobile_index:
        match |= Q(mobile_index=identity.mobile_index)
    if identity.bank_card_index:
        match |= Q(bank_card_index=identity.bank_card_index)
    if not match:
        return []
    return list(Identity.objects.filter(match).exclude(user_id=user.pk)
                .exclude(resident_id_index=identity.resident_id_index).values_list("user_id", flat=True))
