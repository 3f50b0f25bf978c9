"""Read queries of risk-event notices: the public record and the operator's list (never write)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role
from peerlend.disclosure.models_events import EventStatus, RiskEvent
from peerlend.errors import NotFound

# Who drafts and publishes notices.
STAFF_ROLES = (Role.OPERATOR, Role.ADMIN)


def published_events() -> QuerySet[RiskEvent]:
    """Every published notice, newest first, with the follow-ups that correct or update it."""
    return (RiskEvent.objects.filter(status=EventStatus.PUBLISHED).select_related("follows")
            .prefetch_related("follow_ups").order_by("-published_on", "-id"))


def published_event(event_id: int) -> RiskEvent:
    event = published_events().filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("risk event %(id)s does not exist") % {"id": event_id}, code="risk_event_not_found")
    return event


def public_follow_ups(event: RiskEvent) -> list[RiskEvent]:
    return [e for e in event.follow_ups.all() if e.status == EventStatus.PUBLISHED]


def all_events() -> QuerySet[RiskEvent]:
    """The operator's view: drafts first, then the published record."""
    return RiskEvent.objects.select_related("created_by", "published_by", "follows").order_by("status", "-id")


def staff_event(event_id: int) -> RiskEvent:
    event = all_events().filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("risk event %(id)s does not exist") % {"id": event_id}, code="risk_event_not_found")
    return event


def is_event_staff(user: Any) -> bool:
    return bool(user.is_authenticated and any(user.has_role(r) for r in STAFF_ROLES))
