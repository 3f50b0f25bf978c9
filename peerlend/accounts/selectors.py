"""Read queries of the accounts context."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from peerlend.accounts.models import Identity, ServicePoint, User


def is_kyc_verified(user: Any) -> bool:
    """Whether ``user`` has a verified real-name identity (anonymous users never have one)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return Identity.objects.filter(user_id=user.pk).exists()


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
    """Ids of other members whose verified identity has the same mobile number or bank card."""
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
    return list(Identity.objects.filter(match).exclude(user_id=user.pk).values_list("user_id", flat=True))
