"""Risk-event notices: drafted, published once, then never changed; corrections are linked follow-ups."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from peerlend.accounts.models import User
from peerlend.compliance.models import AuditEvent
from peerlend.disclosure.events import selectors, services
from peerlend.disclosure.models_events import RiskEvent
from peerlend.errors import ApplicationError, Conflict, PermissionDenied
from tests.disclosure.public.conftest import START, day, event_input
from tests.factories import make_user


def test_publishing_dates_the_notice_with_the_business_date(make_event: Callable[..., RiskEvent]) -> None:
    event = make_event()
    assert (event.status, event.published_on) == ("published", START)
    assert list(selectors.published_events()) == [event]


def test_a_draft_is_not_public(make_event: Callable[..., RiskEvent]) -> None:
    draft = make_event(publish=False)
    assert draft.status == "draft"
    assert not selectors.published_events().exists()


def test_a_published_notice_cannot_be_edited(make_event: Callable[..., RiskEvent], operator: User) -> None:
    event = make_event()
    with pytest.raises(Conflict) as caught:
        services.update_draft(actor=operator, event_id=event.pk, data=event_input(title="rewritten"))
    assert caught.value.code == "risk_event_published"
    event.refresh_from_db()
    assert event.title == "Custody bank changes its interface"


def test_the_model_refuses_to_save_or_delete_a_published_notice(make_event: Callable[..., RiskEvent]) -> None:
    event = make_event()
    event.title = "rewritten"
    with pytest.raises(Conflict):
        event.save()
    with pytest.raises(Conflict):
        event.delete()
    assert RiskEvent.objects.get(pk=event.pk).title == "Custody bank changes its interface"


def test_publishing_twice_is_refused(make_event: Callable[..., RiskEvent], operator: User) -> None:
    event = make_event()
    with pytest.raises(Conflict):
        services.publish_event(actor=operator, event_id=event.pk)


def test_a_draft_can_be_edited_and_the_change_is_audited(make_event: Callable[..., RiskEvent],
                                                         operator: User) -> None:
    draft = make_event(publish=False)
    services.update_draft(actor=operator, event_id=draft.pk, data=event_input(title="Better title"))
    draft.refresh_from_db()
    assert draft.title == "Better title"
    audit = AuditEvent.objects.get(action="disclosure.risk_event_edited")
    assert (audit.old["title"], audit.new["title"]) == ("Custody bank changes its interface", "Better title")


def test_drafting_and_publishing_are_audited(make_event: Callable[..., RiskEvent]) -> None:
    event = make_event()
    actions = set(AuditEvent.objects.filter(target_id=str(event.pk), target_type="disclosure.riskevent")
                  .values_list("action", flat=True))
    assert actions == {"disclosure.risk_event_drafted", "disclosure.risk_event_published"}


def test_a_correction_is_a_follow_up_linked_to_the_notice(make_event: Callable[..., RiskEvent]) -> None:
    first = make_event()
    correction = make_event(title="Correction: the date was wrong", follows_id=first.pk)
    assert correction.follows_id == first.pk
    assert selectors.public_follow_ups(selectors.published_event(first.pk)) == [correction]


def test_a_follow_up_of_a_draft_is_refused(make_event: Callable[..., RiskEvent]) -> None:
    draft = make_event(publish=False)
    with pytest.raises(ApplicationError) as caught:
        make_event(follows_id=draft.pk)
    assert caught.value.extra["field"] == "follows"


@pytest.mark.parametrize(("field", "value"), [
    ("title", ""), ("title", "x" * 201), ("body", " "), ("category", "weather"), ("severity", "mild"),
    ("language", "fr"), ("occurred_on", day(1)),
])
def test_values_out_of_range_are_refused_naming_the_field(make_event: Callable[..., RiskEvent], field: str,
                                                          value: object) -> None:
    with pytest.raises(ApplicationError) as caught:
        make_event(publish=False, **{field: value})
    assert (caught.value.status, caught.value.code, caught.value.extra["field"]) == (400, "invalid_risk_event", field)
    assert not RiskEvent.objects.exists()


@pytest.mark.parametrize("roles", [("investor",), ("borrower",)])
def test_members_cannot_draft_or_publish(make_event: Callable[..., RiskEvent], roles: tuple[str, ...]) -> None:
    member = make_user(roles=roles)
    with pytest.raises(PermissionDenied):
        services.draft_event(actor=member, data=event_input())
    draft = make_event(publish=False)
    with pytest.raises(PermissionDenied):
        services.publish_event(actor=member, event_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_database_refuses_a_body_beyond_its_range(make_event: Callable[..., RiskEvent]) -> None:
    from django.db import IntegrityError, transaction

    draft = make_event(publish=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskEvent.objects.filter(pk=draft.pk).update(body="x" * 20_001)
    assert RiskEvent.objects.get(pk=draft.pk).body == "The custody bank moves to a new system."
