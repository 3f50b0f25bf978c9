"""Idempotency inside the servicing money services: repay, prepay and collect take the key themselves.

The key belongs to the action, not to the channel: the repayment page and the API share one scope,
so a payment sent from the page and retried over the API with the same key is taken once.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from peerlend.accounts.models import Role
from peerlend.api.auth import issue_token
from peerlend.clock import business_date, set_business_date
from peerlend.errors import ApplicationError
from peerlend.ledger.models import Posting
from peerlend.servicing import collections
from peerlend.servicing import services as sv
from peerlend.servicing.batch import run_days
from peerlend.servicing.models import ServicingPayment
from tests.factories import make_staff
from tests.servicing.conftest import assert_audit_clean, available, deposit, schedule

CASH = 50_000_00


def _api(user, path: str, body: dict, key: str):
    return Client().post(path, data=json.dumps(body), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}", HTTP_IDEMPOTENCY_KEY=key)


def _page(user) -> Client:
    page = Client()
    page.force_login(user)
    return page


def _due_loan(disbursed_loan):
    """A current loan with its first installment due today and cash in the borrower's balance."""
    loan = disbursed_loan()
    set_business_date(schedule(loan)[0].due_date)
    deposit(loan.borrower, CASH)
    return loan


def _late(disbursed_loan):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, first.due_date + timedelta(days=10))
    loan.refresh_from_db()
    assert loan.status == "late"
    deposit(loan.borrower, CASH)
    return loan


def test_same_key_from_the_page_then_the_api_repays_once(disbursed_loan):
    loan = _due_loan(disbursed_loan)
    _page(loan.borrower).post(f"/my/loans/{loan.pk}/repay", {"amount": "100.00", "idempotency_key": "pay-once"})
    api = _api(loan.borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "100.00"}, "pay-once")
    assert api.status_code == 201, api.content
    payment = ServicingPayment.objects.get(loan=loan)
    assert api.json()["payment_id"] == payment.pk and api.json()["paid"] == "100.00"
    assert available(loan.borrower) == CASH - 100_00
    assert_audit_clean()


def test_same_key_from_the_api_then_the_page_prepays_once(disbursed_loan):
    loan = _due_loan(disbursed_loan)
    api = _api(loan.borrower, f"/api/loans/{loan.pk}/prepayments", {}, "prepay-once")
    assert api.status_code == 201, api.content
    paid = CASH - available(loan.borrower)
    response = _page(loan.borrower).post(f"/my/loans/{loan.pk}/prepay", {"idempotency_key": "prepay-once"},
                                         follow=True)
    assert response.status_code == 200
    assert ServicingPayment.objects.filter(loan=loan).count() == 1
    assert available(loan.borrower) == CASH - paid
    loan.refresh_from_db()
    assert loan.status == "prepaid"
    assert_audit_clean()


def test_repay_called_twice_with_a_key_returns_the_first_result(disbursed_loan):
    loan = _due_loan(disbursed_loan)
    first = sv.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=300_00, idempotency_key="r1")
    postings = Posting.objects.count()
    again = sv.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=300_00, idempotency_key="r1")
    assert again == first
    assert Posting.objects.count() == postings and ServicingPayment.objects.filter(loan=loan).count() == 1
    assert available(loan.borrower) == CASH - 300_00
    other = sv.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=300_00, idempotency_key="r2")
    assert other.payment_id != first.payment_id and available(loan.borrower) == CASH - 600_00


def test_partial_prepay_called_twice_with_a_key_prepays_once(disbursed_loan):
    loan = _due_loan(disbursed_loan)
    first = sv.prepay(actor=loan.borrower, loan_id=loan.pk, amount_minor=5_000_00, idempotency_key="p1")
    installments = [(i.number, i.due_date, i.principal_minor, i.interest_minor) for i in schedule(loan)]
    again = sv.prepay(actor=loan.borrower, loan_id=loan.pk, amount_minor=5_000_00, idempotency_key="p1")
    assert again == first
    assert [(i.number, i.due_date, i.principal_minor, i.interest_minor) for i in schedule(loan)] == installments
    assert ServicingPayment.objects.filter(loan=loan).count() == 1
    assert available(loan.borrower) == CASH - first.paid_minor
    assert_audit_clean()


def test_a_key_reused_for_another_amount_is_refused(disbursed_loan):
    loan = _due_loan(disbursed_loan)
    sv.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=100_00, idempotency_key="k")
    for call in (lambda: sv.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=150_00, idempotency_key="k"),
                 lambda: sv.prepay(actor=loan.borrower, loan_id=loan.pk, amount_minor=100_00, idempotency_key="k")):
        with pytest.raises(ApplicationError) as exc:
            call()
        assert exc.value.code == "idempotency_key_reused" and exc.value.status == 422
    assert ServicingPayment.objects.filter(loan=loan).count() == 1
    api = _api(loan.borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "150.00"}, "k")
    assert api.status_code == 422 and api.json()["code"] == "idempotency_key_reused"


def test_a_refusal_is_replayed_for_its_key(disbursed_loan):
    loan = disbursed_loan()
    set_business_date(schedule(loan)[0].due_date)
    deposit(loan.borrower, 50_00)
    with pytest.raises(ApplicationError) as first:
        sv.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=80_00, idempotency_key="short")
    deposit(loan.borrower, CASH)
    with pytest.raises(ApplicationError) as again:
        sv.repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=80_00, idempotency_key="short")
    assert first.value.code == again.value.code
    assert (again.value.status, again.value.message) == (first.value.status, first.value.message)
    # The API answers the replay with the same refusal, and moves nothing.
    api = _api(loan.borrower, f"/api/loans/{loan.pk}/repayments", {"amount": "80.00"}, "short")
    assert api.status_code == first.value.status and api.json()["code"] == first.value.code
    assert ServicingPayment.objects.filter(loan=loan).count() == 0


def test_the_pages_and_api_still_require_a_key(disbursed_loan):
    loan = _due_loan(disbursed_loan)
    api = Client().post(f"/api/loans/{loan.pk}/repayments", data=json.dumps({"amount": "100.00"}),
                        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {issue_token(loan.borrower)}")
    assert api.status_code == 400 and api.json()["code"] == "idempotency_key_required"
    response = _page(loan.borrower).post(f"/my/loans/{loan.pk}/repay", {"amount": "100.00"}, follow=True)
    assert response.status_code == 200
    assert ServicingPayment.objects.filter(loan=loan).count() == 0


def test_collect_overdue_takes_the_key_itself(disbursed_loan):
    loan = _late(disbursed_loan)
    agent = make_staff(Role.COLLECTIONS)
    first = sv.collect_overdue(agent=agent, loan_id=loan.pk, amount_minor=100_00, idempotency_key="c1")
    again = sv.collect_overdue(agent=agent, loan_id=loan.pk, amount_minor=100_00, idempotency_key="c1")
    assert again == first
    # The page's collect shares the scope: the same key there is the same collection.
    page = _page(agent).post(f"/collections/{loan.pk}",
                             {"action": "collect", "amount": "100.00", "idempotency_key": "c1"}, follow=True)
    assert page.status_code == 200
    assert ServicingPayment.objects.filter(loan=loan).count() == 1
    assert available(loan.borrower) == CASH - 100_00
    with pytest.raises(ApplicationError) as exc:
        collections.collect(agent, loan.pk, 200_00, idempotency_key="c1")
    assert exc.value.code == "idempotency_key_reused"
    assert ServicingPayment.objects.filter(loan=loan).count() == 1
    assert_audit_clean()


def test_a_collect_refusal_is_replayed_with_its_code(disbursed_loan):
    loan = disbursed_loan()
    set_business_date(schedule(loan)[0].due_date)  # due today: current, not in collections
    deposit(loan.borrower, CASH)
    agent = make_staff(Role.COLLECTIONS)
    for _attempt in range(2):
        with pytest.raises(ApplicationError) as exc:
            collections.collect(agent, loan.pk, 100_00, idempotency_key="early")
        assert exc.value.code == "not_in_collections" and exc.value.status == 400
    assert business_date() == schedule(loan)[0].due_date
    assert ServicingPayment.objects.filter(loan=loan).count() == 0
