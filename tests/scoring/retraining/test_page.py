"""The risk models page: who sees it, the report side by side, deciding by POST with a reason."""

import datetime as dt

import pytest
from django.test import Client

from peerlend.compliance.models import AuditEvent
from peerlend.scoring.model import shipped_model
from peerlend.scoring.models import ModelCandidate
from tests.factories import make_staff, make_user
from tests.scoring.retraining.test_challenger import dataset

URL = "/risk/models"


@pytest.fixture(scope="module")
def challenger():
    from peerlend.scoring.retraining.challenger import fit_challenger

    return fit_challenger(dataset(), shipped_model(), min_bad=10)  # pure: fitted once for the module


@pytest.fixture
def candidate(db, challenger):
    ch = challenger
    return ModelCandidate.objects.create(
        version=ch.version, artifact_text=ch.artifact_text, report_text=ch.report_text, rows=241, bad=1,
        train_rows=ch.train_rows, holdout_rows=ch.holdout_rows, as_of=dt.date(2026, 1, 1), horizon_months=12,
        min_bad=10, champion_version=shipped_model().version)


def client_for(user):
    c = Client(enforce_csrf_checks=False)
    c.force_login(user)
    return c


@pytest.mark.parametrize("role", ["risk_officer", "admin"])
def test_deciders_see_the_report_side_by_side(candidate, role):
    page = client_for(make_staff(role)).get(URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert candidate.version in body and candidate.champion_version in body
    r = candidate.report
    assert f"{r['challenger']['auc']:.4f}" in body and f"{r['champion']['auc']:.4f}" in body
    assert 'name="decision" value="approve"' in body


@pytest.mark.parametrize("role", ["operator", "compliance", "collections", "regulator", "agent"])
def test_other_staff_are_refused(candidate, role):
    assert client_for(make_staff(role)).get(URL).status_code == 403
    assert client_for(make_staff(role)).post(f"{URL}/{candidate.pk}/decide",
                                             {"decision": "approve", "reason": "x"}).status_code == 403
    assert ModelCandidate.objects.get().status == "pending"


def test_members_refused_anonymous_sent_to_log_in(candidate):
    assert client_for(make_user(roles=("borrower", "investor"))).get(URL).status_code == 403
    anon = Client().get(URL)
    assert anon.status_code == 302 and "login" in anon["Location"]


def test_get_writes_nothing(candidate):
    before = AuditEvent.objects.count()
    client_for(make_staff("risk_officer")).get(URL)
    assert AuditEvent.objects.count() == before and ModelCandidate.objects.get().status == "pending"


def test_post_approves_with_reason_and_audit(candidate):
    officer = make_staff("risk_officer")
    c = Client(enforce_csrf_checks=True)
    c.force_login(officer)
    assert c.post(f"{URL}/{candidate.pk}/decide", {"decision": "approve", "reason": "ok"}).status_code == 403  # no CSRF
    c.get(URL)
    token = c.cookies["csrftoken"].value
    resp = c.post(f"{URL}/{candidate.pk}/decide",
                  {"decision": "approve", "reason": "better", "csrfmiddlewaretoken": token})
    assert resp.status_code == 302
    assert ModelCandidate.objects.get().status == "approved"
    assert AuditEvent.objects.filter(action="model.approve", actor=officer, reason="better").exists()


def test_post_without_reason_is_refused_with_a_message(candidate):
    c = client_for(make_staff("risk_officer"))
    resp = c.post(f"{URL}/{candidate.pk}/decide", {"decision": "reject", "reason": ""}, follow=True)
    assert resp.status_code == 200 and "give a reason" in resp.content.decode()
    assert ModelCandidate.objects.get().status == "pending"


def test_unknown_candidate_is_404(db):
    c = client_for(make_staff("risk_officer"))
    assert c.post(f"{URL}/999/decide", {"decision": "reject", "reason": "no"}).status_code == 404


def test_nav_links_the_page_for_risk_officers(db):
    body = client_for(make_staff("risk_officer")).get("/").content.decode()
    assert f'href="{URL}"' in body
