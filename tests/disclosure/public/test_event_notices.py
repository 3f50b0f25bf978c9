"""Publishing tells every investor once, in the inbox, after commit; a rolled-back publication tells nobody."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from peerlend.accounts.models import User
from peerlend.disclosure.events import services
from peerlend.disclosure.models_events import RiskEvent
from peerlend.servicing.models import Notification
from tests.factories import make_staff, make_user


def _inbox(event: RiskEvent) -> list[int]:
    return sorted(Notification.objects.filter(event_key=f"risk_event_published:risk_event:{event.pk}",
                                              channel="inbox").values_list("user_id", flat=True))


@pytest.fixture
def members(db: None) -> dict[str, User]:
    return {"investor": make_user(roles=("investor",)), "both": make_user(roles=("investor", "borrower")),
            "borrower": make_user(roles=("borrower",)), "staff": make_staff("risk_officer")}


def test_every_investor_gets_one_inbox_notice(make_event: Callable[..., RiskEvent], members: dict[str, User],
                                              django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event()
    assert _inbox(event) == sorted([members["investor"].pk, members["both"].pk])


def test_nothing_is_written_before_commit(make_event: Callable[..., RiskEvent], members: dict[str, User],
                                          django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        event = make_event()
    assert _inbox(event) == []
    for callback in callbacks:
        callback()
    assert len(_inbox(event)) == 2


def test_running_the_notice_again_adds_nothing(make_event: Callable[..., RiskEvent], members: dict[str, User],
                                               django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event()
    services.notify_investors(event.pk, {"event": event.pk, "title": event.title, "date": "2026-03-02"})
    assert len(_inbox(event)) == 2


def test_a_rolled_back_publication_tells_nobody(make_event: Callable[..., RiskEvent], members: dict[str, User],
                                                operator: User, django_capture_on_commit_callbacks: Any) -> None:
    draft = make_event(publish=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.publish_event(actor=operator, event_id=draft.pk)
                raise RuntimeError("the transaction fails after publishing")
        except RuntimeError:
            pass
    assert callbacks == []
    assert _inbox(draft) == []
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_notice_reads_in_the_readers_language_with_the_title_as_typed(
        make_event: Callable[..., RiskEvent], members: dict[str, User],
        django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(title="托管银行系统切换", language="zh-hans")
    row = Notification.objects.get(user=members["investor"], channel="inbox",
                                   event_key=f"risk_event_published:risk_event:{event.pk}")
    subject, body = row.text(language="en")
    assert subject == "Risk event notice: 托管银行系统切换"
    assert f"notice {event.pk}" in body and "2026-03-02" in body
