"""Finding 2 of issue 11 and issue 12 item 11: a promise to pay is bounded by the promise limit and by what
the borrower owes by the promised date; a huge amount in the form is a message, never a server error."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from peerlend.accounts.models import Role
from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.servicing import collections
from peerlend.servicing.batch import run_days
from peerlend.servicing.models import PromiseToPay
from tests.factories import make_staff
from tests.servicing.conftest import assert_audit_clean, schedule


@pytest.fixture
def late_loan(disbursed_loan):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, first.due_date + timedelta(days=10))
    loan.refresh_from_db()
    assert loan.status == "late"
    return loan


def test_a_promise_beyond_what_is_owed_is_refused(late_loan):
    agent = make_staff(Role.COLLECTIONS)
    today = business_date()
    insts = schedule(late_loan)
    overdue = insts[0].due_minor
    with pytest.raises(ApplicationError) as info:
        collections.record_promise(agent, late_loan.pk, 99_999_999_00, today + timedelta(days=2))
    assert info.value.code == "limit_exceeded" and info.value.status == 400
    with pytest.raises(ApplicationError) as info:
        collections.record_promise(agent, late_loan.pk, overdue + 1, today + timedelta(days=2))
    assert info.value.code == "promise_above_owed"
    assert f"{overdue // 100:,}.{overdue % 100:02d}" in info.value.message
    assert PromiseToPay.objects.count() == 0
    promise = collections.record_promise(agent, late_loan.pk, overdue, today + timedelta(days=2))
    assert promise.amount_minor == overdue
    # By the next due date the next installment is owed too.
    next_due = insts[1].due_date
    both = overdue + insts[1].due_minor
    assert collections.record_promise(agent, late_loan.pk, both, next_due).amount_minor == both
    with pytest.raises(ApplicationError):
        collections.record_promise(agent, late_loan.pk, both + 1, next_due)
    assert_audit_clean()


@pytest.mark.parametrize("amount", ["99999999999999999999999999999999999", "92233720368547758.06",
                                    "99999999.00"])
def test_the_promise_form_answers_huge_amounts_with_a_message(client, late_loan, amount):
    agent = make_staff(Role.COLLECTIONS)
    client.force_login(agent)
    resp = client.post(reverse("web:collections_action", args=[late_loan.pk]), {
        "action": "promise", "amount": amount, "promised_on": (business_date() + timedelta(days=2)).isoformat(),
        "idempotency_key": uuid.uuid4().hex,
    }, follow=True)
    assert resp.status_code == 200
    page = resp.content.decode()
    assert "100,000,000,000.00" in page or "above the limit" in page
    assert PromiseToPay.objects.count() == 0
