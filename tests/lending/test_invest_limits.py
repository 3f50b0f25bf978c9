"""Finding 2 of issue 11 for investments: per-note and daily limits by member type; a huge amount is a 400."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import override_settings

from peerlend.api.auth import issue_token
from peerlend.domain.limits import limits_from_env
from peerlend.errors import ApplicationError
from peerlend.lending import services
from peerlend.lending.limits import investment_headroom
from peerlend.lending.models import Note
from tests.lending.conftest import START, assert_audit_clean, balances

INT64_MAX = 2**63 - 1


def _small_limits():
    table = limits_from_env({"PEERLEND_LIMIT_PERSON_INVESTMENT_TX_MINOR": "100000",
                             "PEERLEND_LIMIT_PERSON_INVESTMENT_DAY_MINOR": "150000"})
    return override_settings(PEERLEND={**settings.PEERLEND, "LIMITS": table})


def test_per_note_and_daily_investment_limits(listed_loan, investor_factory):
    loan = listed_loan(amount_minor=10_000_00)
    investor = investor_factory(5_000_00)
    with _small_limits():
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00)
        with pytest.raises(ApplicationError) as info:
            services.invest(investor=investor, loan_id=loan.pk, amount_minor=1_050_00)
        assert info.value.code == "limit_exceeded" and info.value.status == 400
        assert info.value.message == ("The investment of 1,050.00 CNY is above the limit of 1,000.00 CNY per "
                                      "transaction.")
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=500_00)
        with pytest.raises(ApplicationError) as info:
            services.invest(investor=investor, loan_id=loan.pk, amount_minor=50_00)
        assert info.value.code == "limit_exceeded"
        assert "1,500.00 CNY a day, 1,500.00 CNY already used today, 0.00 CNY remaining" in info.value.message
        assert investment_headroom(investor).allowed_now_minor == 0
    assert Note.objects.filter(investor=investor).count() == 2
    assert balances(investor) == (3_500_00, 1_500_00)
    assert set(Note.objects.values_list("placed_on", flat=True)) == {START}
    assert_audit_clean()


def test_refunded_notes_free_the_day(listed_loan, investor_factory, borrower):
    first = listed_loan(amount_minor=10_000_00)
    investor = investor_factory(5_000_00)
    with _small_limits():
        services.invest(investor=investor, loan_id=first.pk, amount_minor=1_000_00)
        services.cancel(actor=borrower, loan_id=first.pk, reason="changed my mind")
        second = listed_loan(amount_minor=10_000_00)
        services.invest(investor=investor, loan_id=second.pk, amount_minor=1_000_00)
        services.invest(investor=investor, loan_id=second.pk, amount_minor=500_00)
    assert_audit_clean()


def test_an_int64_investment_is_refused_with_400(listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    amount = INT64_MAX // 5000 * 5000  # a multiple of the note unit
    with pytest.raises(ApplicationError) as info:
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=amount)
    assert info.value.status == 400 and info.value.code == "limit_exceeded"
    assert Note.objects.count() == 0 and balances(investor) == (1_000_00, 0)


@pytest.mark.parametrize("amount", ["92233720368547750.00", "99999999999999999999999999999999999", "1000000000000"])
def test_huge_investment_over_the_api_is_400(client, listed_loan, investor_factory, amount):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    resp = client.post(f"/api/loans/{loan.pk}/investments", data=json.dumps({"amount": amount}),
                       content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {issue_token(investor)}",
                       HTTP_IDEMPOTENCY_KEY="inv-1")
    assert resp.status_code == 400, resp.content
    assert resp.json()["code"] == "invalid_amount"
    assert Note.objects.count() == 0
    assert_audit_clean()


@pytest.mark.parametrize("amount", ["92233720368547750.00", "99999999999999999999999999999999999"])
def test_huge_investment_in_the_web_form_is_a_form_error(client, listed_loan, investor_factory, amount):
    import uuid

    from django.urls import reverse

    loan = listed_loan()
    investor = investor_factory(1_000_00)
    client.force_login(investor)
    resp = client.post(reverse("web:invest", args=[loan.pk]),
                       {"amount": amount, "idempotency_key": uuid.uuid4().hex}, follow=True)
    assert resp.status_code == 200
    assert "100,000,000,000.00" in resp.content.decode()
    assert Note.objects.count() == 0


def test_over_the_limit_in_the_web_form_shows_the_figures(client, listed_loan, investor_factory):
    import uuid

    from django.urls import reverse

    loan = listed_loan(amount_minor=10_000_00)
    investor = investor_factory(5_000_00)
    client.force_login(investor)
    with _small_limits():
        resp = client.post(reverse("web:invest", args=[loan.pk]),
                           {"amount": "1050.00", "idempotency_key": uuid.uuid4().hex}, follow=True)
    assert resp.status_code == 200
    assert "above the limit of 1,000.00 CNY per transaction" in resp.content.decode()
    assert Note.objects.count() == 0
