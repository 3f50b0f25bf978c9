"""The public notice pages and API, and the operator's pages to draft and publish."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from peerlend.accounts.models import User
from peerlend.disclosure.models_events import RiskEvent
from peerlend.servicing.models import Notification
from tests.factories import make_user


def _client(user: User | None = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_the_public_page_lists_published_notices_only(make_event: Callable[..., RiskEvent]) -> None:
    make_event(title="Published notice")
    make_event(publish=False, title="Secret draft")
    page = _client().get("/disclosure/events").content.decode()
    assert "Published notice" in page and "Secret draft" not in page


def test_a_notice_page_shows_its_body_and_a_draft_is_not_found(make_event: Callable[..., RiskEvent]) -> None:
    event = make_event(body="The whole story.")
    draft = make_event(publish=False)
    assert "The whole story." in _client().get(f"/disclosure/events/{event.pk}").content.decode()
    assert _client().get(f"/disclosure/events/{draft.pk}").status_code == 404


def test_the_page_reads_in_chinese(make_event: Callable[..., RiskEvent]) -> None:
    make_event()
    response = _client().get("/disclosure/events", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and response["Content-Language"] == "zh-hans"


def test_an_operator_drafts_and_publishes_from_the_pages(operator: User, django_capture_on_commit_callbacks: Any
                                                         ) -> None:
    investor = make_user(roles=("investor",))
    c = _client(operator)
    response = c.post("/operator/disclosure/events", {
        "title": "Server outage", "body": "The site was down for a day.", "language": "en",
        "category": "operations", "severity": "major", "occurred_on": "2026-03-01", "follows": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    event = RiskEvent.objects.get()
    assert event.status == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        assert c.post(f"/operator/disclosure/events/{event.pk}/publish").status_code == 302
    event.refresh_from_db()
    assert event.status == "published"
    assert "Server outage" in _client().get("/disclosure/events").content.decode()
    assert Notification.objects.filter(user=investor, channel="inbox", event="risk_event_published").count() == 1


def test_editing_a_published_notice_from_the_page_changes_nothing(make_event: Callable[..., RiskEvent],
                                                                  operator: User) -> None:
    event = make_event()
    response = _client(operator).post(f"/operator/disclosure/events/{event.pk}", {
        "title": "Rewritten", "body": "New text", "language": "en", "category": "other", "severity": "notice",
        "occurred_on": "2026-03-01", "follows": ""})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title != "Rewritten"


def test_members_cannot_reach_the_operator_pages(make_event: Callable[..., RiskEvent]) -> None:
    draft = make_event(publish=False)
    member = _client(make_user(roles=("investor",)))
    assert member.get("/operator/disclosure/events").status_code == 403
    assert member.post(f"/operator/disclosure/events/{draft.pk}/publish").status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_api_lists_notices_with_labels(make_event: Callable[..., RiskEvent]) -> None:
    first = make_event()
    follow = make_event(title="Update", follows_id=first.pk)
    make_event(publish=False)
    rows = _client().get("/api/disclosure/events").json()
    assert [r["id"] for r in rows] == [follow.pk, first.pk]
    one = _client().get(f"/api/disclosure/events/{first.pk}").json()
    assert one["follow_ups"] == [follow.pk] and one["severity_label"] == "Serious"
    zh = _client().get(f"/api/disclosure/events/{first.pk}", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert zh["title"] == one["title"]  # the text stays as typed, whatever the reader's language


def test_the_api_answers_404_for_a_draft(make_event: Callable[..., RiskEvent]) -> None:
    draft = make_event(publish=False)
    response = _client().get(f"/api/disclosure/events/{draft.pk}")
    assert response.status_code == 404 and response.json()["code"] == "risk_event_not_found"


def test_the_about_page_and_api_show_placeholders_fees_and_default_rules(settings: Any) -> None:
    settings.PEERLEND_FILING = {**settings.PEERLEND_FILING, "ICP_NUMBER": "京ICP备12345678号"}
    page = _client().get("/disclosure/about").content.decode()
    assert "京ICP备12345678号" in page and "placeholder: not yet set" in page and 'data-no-reserve' in page
    about = _client().get("/api/disclosure/about").json()
    items = {i["code"]: i for i in about["filing"]}
    assert items["icp_number"] == {"code": "icp_number", "label": "ICP licence number",
                                   "value": "京ICP备12345678号", "placeholder": False}
    assert items["custody_bank"]["placeholder"] is True
    assert about["fees"]["investor_service_fee_rate"] == str(settings.PEERLEND["INVESTOR_SERVICE_FEE_RATE"])
    assert about["default_rules"]["guarantee_mode"] == "none"


def test_the_about_page_explains_the_risk_reserve_when_configured(settings: Any) -> None:
    settings.PEERLEND = {**settings.PEERLEND, "GUARANTEE_MODE": "risk_reserve"}
    page = _client().get("/disclosure/about").content.decode()
    assert "data-reserve" in page and "data-no-reserve" not in page
