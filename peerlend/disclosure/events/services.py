"""Use cases of major-risk-event notices: an operator drafts, edits the draft, and publishes it for good.

Publishing is a compare-and-set from draft to published (one publication however often it is clicked)
and tells every investor once, after commit, through ``peerlend.notify`` (key ``risk_event:<id>``).
A published event is never edited or deleted: a correction is a new event that ``follows`` it.
Every staff change is an audit row with the old and new values.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_role
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.disclosure.events.selectors import STAFF_ROLES
from peerlend.disclosure.models_events import (
    MAX_BODY,
    MAX_TITLE,
    EventCategory,
    EventLanguage,
    EventSeverity,
    EventStatus,
    RiskEvent,
)
from peerlend.errors import ApplicationError, Conflict, NotFound
from peerlend.notify import Notice, notify_many

NOTICE_EVENT = "risk_event_published"
# An event may be dated up to this far back (the guideline asks for notice within days; older facts
# still belong on the record, so the range is wide).
MAX_AGE_DAYS = 3650
NOTIFY_CHUNK = 2000


@dataclass(frozen=True)
class EventInput:
    title: str
    body: str
    category: str
    severity: str
    occurred_on: date
    language: str = EventLanguage.ZH_HANS
    follows_id: int | None = None


def _invalid(message: str, field_name: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_risk_event", extra={"field": field_name})


def validate_event(data: EventInput, today: date) -> None:
    """Refuse (400 ``invalid_risk_event``, naming the field) values outside their documented ranges."""
    if not data.title.strip() or len(data.title) > MAX_TITLE:
        raise _invalid(_("give the notice a title of at most %(n)d characters") % {"n": MAX_TITLE}, "title")
    if not data.body.strip() or len(data.body) > MAX_BODY:
        raise _invalid(_("write the notice's text, at most %(n)d characters") % {"n": MAX_BODY}, "body")
    if data.category not in EventCategory.values:
        raise _invalid(_("choose a category"), "category")
    if data.severity not in EventSeverity.values:
        raise _invalid(_("choose a severity"), "severity")
    if data.language not in EventLanguage.values:
        raise _invalid(_("choose the language the notice is written in"), "language")
    if not today - timedelta(days=MAX_AGE_DAYS) <= data.occurred_on <= today:
        raise _invalid(_("the event date must be today or earlier, within the last ten years"), "occurred_on")
    if data.follows_id is not None and not RiskEvent.objects.filter(
            pk=data.follows_id, status=EventStatus.PUBLISHED).exists():
        raise _invalid(_("a follow-up refers to a published notice"), "follows")


def _values(event: RiskEvent) -> dict[str, Any]:
    return {"title": event.title, "body": event.body, "language": event.language, "category": event.category,
            "severity": event.severity, "occurred_on": event.occurred_on, "status": event.status,
            "follows": event.follows_id}


@transaction.atomic
def draft_event(*, actor: User, data: EventInput) -> RiskEvent:
    """A new notice in draft (operators and administrators); nobody outside sees it yet."""
    require_role(actor, *STAFF_ROLES)
    validate_event(data, business_date())
    event = RiskEvent.objects.create(
        title=data.title.strip(), body=data.body.strip(), language=data.language, category=data.category,
        severity=data.severity, occurred_on=data.occurred_on, follows_id=data.follows_id, created_by=actor)
    record_audit(actor=actor, action="disclosure.risk_event_drafted", target=event, new=_values(event))
    return event


def _locked(event_id: int) -> RiskEvent:
    event = RiskEvent.objects.select_for_update().filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("risk event %(id)s does not exist") % {"id": event_id}, code="risk_event_not_found")
    return event


def _require_draft(event: RiskEvent) -> None:
    if event.status != EventStatus.DRAFT:
        raise Conflict(_("a published notice cannot be changed; publish a follow-up instead"),
                       code="risk_event_published")


@transaction.atomic
def update_draft(*, actor: User, event_id: int, data: EventInput) -> RiskEvent:
    """Change a draft; a published notice is refused (409 ``risk_event_published``)."""
    require_role(actor, *STAFF_ROLES)
    event = _locked(event_id)
    _require_draft(event)
    validate_event(data, business_date())
    if data.follows_id == event.pk:
        raise _invalid(_("a notice cannot follow itself"), "follows")
    old = _values(event)
    event.title, event.body, event.language = data.title.strip(), data.body.strip(), data.language
    event.category, event.severity, event.occurred_on = data.category, data.severity, data.occurred_on
    event.follows_id = data.follows_id
    event.save()
    record_audit(actor=actor, action="disclosure.risk_event_edited", target=event, old=old, new=_values(event))
    return event


@transaction.atomic
def publish_event(*, actor: User, event_id: int) -> RiskEvent:
    """draft → published, dated with the business date; every investor is told once, after commit."""
    require_role(actor, *STAFF_ROLES)
    event = _locked(event_id)
    _require_draft(event)
    today = business_date()
    # Compare-and-set: of two clicks, one publishes and the other is refused.
    changed = RiskEvent.objects.filter(pk=event.pk, status=EventStatus.DRAFT).update(
        status=EventStatus.PUBLISHED, published_on=today, published_by=actor, published_at=timezone.now())
    if changed != 1:
        raise Conflict(_("this notice was published already"), code="risk_event_published")
    event.refresh_from_db()
    record_audit(actor=actor, action="disclosure.risk_event_published", target=event,
                 old={"status": EventStatus.DRAFT}, new={"status": event.status, "published_on": today})
    params = {"event": event.pk, "title": event.title, "date": today.isoformat()}
    transaction.on_commit(lambda: notify_investors(event.pk, params))
    return event


def _investor_ids() -> Iterator[int]:
    """Active members holding the investor role (roles are a JSON list: filtered here, portably)."""
    for pk, roles in User.objects.filter(is_active=True).order_by("pk").values_list("pk", "roles").iterator(
            chunk_size=NOTIFY_CHUNK):
        if Role.INVESTOR in (roles or []):
            yield pk


def notify_investors(event_id: int, params: dict[str, Any]) -> None:
    """One inbox notice per investor (unique per member and key: running it twice adds nothing)."""
    batch: list[Notice] = []
    for pk in _investor_ids():
        batch.append(Notice(pk, NOTICE_EVENT, f"risk_event:{event_id}", params))
        if len(batch) >= NOTIFY_CHUNK:
            with transaction.atomic():
                notify_many(batch)
            batch = []
    if batch:
        with transaction.atomic():
            notify_many(batch)
