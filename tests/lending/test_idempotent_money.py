"""Idempotency inside the lending money services: invest and cancel (refunds) are safe to call twice.

The key belongs to the action, not to the channel: the web form and the API share one scope, so a
note placed from the page and retried over the API with the same key is placed once.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from peerlend.api.auth import issue_token
from peerlend.errors import ApplicationError
from peerlend.ledger.models import Posting
from peerlend.lending import services
from peerlend.lending.models import Loan, Note
from tests.lending.conftest import assert_audit_clean, balances, deposit


def test_same_key_from_the_page_then_the_api_places_one_note(listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    page = Client()
    page.force_login(investor)
    page.post(f"/loans/{loan.pk}/invest", {"amount": "100.00", "idempotency_key": "retry-me"})
    api = Client().post(f"/api/loans/{loan.pk}/investments", data=json.dumps({"amount": "100.00"}),
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {issue_token(investor)}",
                        HTTP_IDEMPOTENCY_KEY="retry-me")
    note = Note.objects.get(loan=loan)
    assert api.status_code == 201, api.content
    assert api.json()["id"] == note.pk
    assert balances(investor) == (900_00, 100_00)
    assert_audit_clean()


def test_same_key_from_the_api_then_the_page_places_one_note(listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    api = Client().post(f"/api/loans/{loan.pk}/investments", data=json.dumps({"amount": "100.00"}),
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {issue_token(investor)}",
                        HTTP_IDEMPOTENCY_KEY="retry-me")
    assert api.status_code == 201, api.content
    page = Client()
    page.force_login(investor)
    response = page.post(f"/loans/{loan.pk}/invest", {"amount": "100.00", "idempotency_key": "retry-me"},
                         follow=True)
    assert response.status_code == 200
    assert Note.objects.filter(loan=loan).count() == 1 and balances(investor) == (900_00, 100_00)


def test_invest_called_twice_with_a_key_returns_the_first_note(listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    first = services.invest(investor=investor, loan_id=loan.pk, amount_minor=200_00, idempotency_key="k1")
    postings = Posting.objects.count()
    again = services.invest(investor=investor, loan_id=loan.pk, amount_minor=200_00, idempotency_key="k1")
    assert again.pk == first.pk
    assert Posting.objects.count() == postings and Note.objects.count() == 1
    assert balances(investor) == (800_00, 200_00)
    other = services.invest(investor=investor, loan_id=loan.pk, amount_minor=200_00, idempotency_key="k2")
    assert other.pk != first.pk and balances(investor) == (600_00, 400_00)


def test_a_refusal_is_replayed_for_its_key(listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(100_00)
    with pytest.raises(ApplicationError) as first:
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=150_00, idempotency_key="short")
    deposit(investor, 500_00)
    with pytest.raises(ApplicationError) as again:
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=150_00, idempotency_key="short")
    assert first.value.code == again.value.code == "insufficient_funds"
    assert again.value.status == first.value.status
    assert Note.objects.count() == 0


def test_a_key_reused_for_another_amount_is_refused(listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    services.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00, idempotency_key="k")
    with pytest.raises(ApplicationError) as exc:
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=150_00, idempotency_key="k")
    assert exc.value.code == "idempotency_key_reused"
    assert Note.objects.count() == 1


def test_cancel_called_twice_with_a_key_refunds_once(listed_loan, investor_factory, borrower):
    loan = listed_loan(amount_minor=1_000_00)
    investor = investor_factory(500_00)
    services.invest(investor=investor, loan_id=loan.pk, amount_minor=300_00)
    first = services.cancel(actor=borrower, loan_id=loan.pk, reason="no longer needed", idempotency_key="c1")
    postings = Posting.objects.count()
    again = services.cancel(actor=borrower, loan_id=loan.pk, reason="no longer needed", idempotency_key="c1")
    assert again.pk == first.pk and again.status == "cancelled"
    assert Posting.objects.count() == postings
    assert balances(investor) == (500_00, 0)
    assert Loan.objects.get(pk=loan.pk).status == "cancelled"
    assert_audit_clean()


def test_the_cancel_page_and_api_share_the_key(listed_loan, investor_factory, borrower):
    loan = listed_loan(amount_minor=1_000_00)
    services.invest(investor=investor_factory(500_00), loan_id=loan.pk, amount_minor=300_00)
    page = Client()
    page.force_login(borrower)
    page.post(f"/loans/{loan.pk}/cancel", {"reason": "", "idempotency_key": "cancel-once"})
    api = Client().post(f"/api/loans/{loan.pk}/cancel", data=json.dumps({"reason": ""}),
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {issue_token(borrower)}",
                        HTTP_IDEMPOTENCY_KEY="cancel-once")
    assert api.status_code == 200, api.content
    assert api.json()["status"] == "cancelled" and api.json()["refunded"] == "300.00"


def test_a_keyed_note_after_the_window_is_refused_and_replayed_alike(listed_loan, investor_factory):
    from peerlend.clock import set_business_date

    loan = listed_loan()
    investor = investor_factory(1_000_00)
    placed = services.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00, idempotency_key="early")
    assert loan.list_expires_on is not None
    set_business_date(loan.list_expires_on)
    for _attempt in range(2):
        with pytest.raises(ApplicationError) as exc:
            services.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00, idempotency_key="late")
        assert exc.value.code == "expired" and exc.value.status == 409
    # The refusal rolled back; the daily job expires the listing and refunds.
    assert Loan.objects.get(pk=loan.pk).status == "listed" and balances(investor) == (900_00, 100_00)
    assert services.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00,
                           idempotency_key="early").pk == placed.pk
    assert services.expire_due_listings(loan.list_expires_on) == 1
    assert balances(investor) == (1_000_00, 0)
    assert_audit_clean()
