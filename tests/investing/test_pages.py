"""The questionnaire, risk disclosure, help and home pages."""

from __future__ import annotations

import pytest
from django.test import Client

from peerlend.investing import questionnaire as q
from peerlend.investing.models import DisclosureAcknowledgement, SuitabilityAssessment
from peerlend.lending.models import Note
from tests.factories import make_staff, make_user
from tests.investing.test_suitability import CAUTIOUS, fresh_investor

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_questionnaire_page_lists_every_question():
    r = client_for(fresh_investor()).get("/investing/questionnaire")
    assert r.status_code == 200
    for question in q.QUESTIONS:
        assert str(question.text) in r.content.decode()


def test_answers_give_a_level_then_the_disclosure_then_back_to_the_loan():
    investor = fresh_investor()
    c = client_for(investor)
    r = c.post("/investing/questionnaire", {**CAUTIOUS, "next": "/loans/7/"})
    assert r.status_code == 302
    assert r["Location"] == "/investing/risk-disclosure?next=%2Floans%2F7%2F"
    assert SuitabilityAssessment.objects.get(investor=investor).level == "cautious"
    r = c.post("/investing/risk-disclosure", {"version": "2026-1", "read": "on", "next": "/loans/7/"})
    assert (r.status_code, r["Location"]) == (302, "/loans/7/")
    assert DisclosureAcknowledgement.objects.filter(investor=investor, version="2026-1").exists()
    page = c.get("/investing/questionnaire").content.decode()
    assert "Moderately conservative" in page and "A, B" in page


def test_incomplete_questionnaire_shows_every_error():
    investor = fresh_investor()
    r = client_for(investor).post("/investing/questionnaire", {"age": "18-30"})
    assert r.status_code == 200
    assert r.content.decode().count("Choose one answer.") == len(q.QUESTIONS) - 1
    assert not SuitabilityAssessment.objects.filter(investor=investor).exists()


def test_disclosure_needs_the_box_ticked_and_never_redirects_off_site():
    investor = fresh_investor()
    c = client_for(investor)
    r = c.post("/investing/risk-disclosure", {"version": "2026-1"})
    assert r.status_code == 200 and "Tick the box" in r.content.decode()
    r = c.post("/investing/risk-disclosure", {"version": "2026-1", "read": "on", "next": "https://evil.example/"})
    assert r["Location"] == "/loans/"


def test_staff_get_403():
    r = client_for(make_staff("operator")).get("/investing/questionnaire")
    assert r.status_code == 403


def test_loan_page_links_the_questionnaire_and_invest_is_refused_with_the_reason(listed_loan):
    loan = listed_loan()
    investor = fresh_investor()
    c = client_for(investor)
    page = c.get(f"/loans/{loan.pk}/").content.decode()
    assert f'href="/investing/questionnaire?next=/loans/{loan.pk}/"' in page
    r = c.post(f"/loans/{loan.pk}/invest", {"amount": "100.00", "idempotency_key": "k1"}, follow=True)
    assert "answer the risk questionnaire before you invest" in r.content.decode()
    assert not Note.objects.filter(investor=investor).exists()


def test_loan_page_says_when_the_grade_is_above_the_level(listed_loan):
    from peerlend.investing import services

    loan = listed_loan()
    investor = fresh_investor()
    services.assess(investor, {**CAUTIOUS, "loss": "none"})
    page = client_for(investor).get(f"/loans/{loan.pk}/").content.decode()
    assert f"This loan is grade {loan.grade}; your risk level (Conservative) allows grades A only." in page


def test_help_page_is_public_and_linked_from_every_page():
    r = Client().get("/help/")
    assert r.status_code == 200
    assert "risk questionnaire" in r.content.decode()
    assert 'href="/help/"' in Client().get("/").content.decode()


def test_home_shows_open_loans_overdue_figures_and_the_fee_schedule(listed_loan):
    loan = listed_loan(title="Tea house refit")
    r = Client().get("/")
    page = r.content.decode()
    assert "Tea house refit" in page and f'href="/loans/{loan.pk}/"' in page
    assert r.context["overdue"].late_loans == 0 and "Loans overdue now" in page
    assert 'href="/fees/"' in page


def test_home_overdue_figures_count_late_loans():
    from peerlend.investing.selectors import platform_overdue

    figures = platform_overdue()
    assert (figures.late_loans, figures.late_principal_minor, figures.late_share_pct) == (0, 0, "0.00")


def test_member_made_by_factory_is_ready_to_invest():
    user = make_user()
    assert SuitabilityAssessment.objects.filter(investor=user).exists()
