"""Head start: with a plan that may buy it, a fresh listing is the plans' alone for PLAN_HEAD_START_MINUTES."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peerlend.errors import ApplicationError
from peerlend.investing.models_plans import PlanHeadStart
from peerlend.investing.plans import bidding
from peerlend.lending import services as lending

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """The head start's wall clock, moved by the test."""
    now = {"t": timezone.now()}
    monkeypatch.setattr(bidding, "now", lambda: now["t"])
    return now


def _list_with_hooks(listed_loan, capture, **kw):
    with capture(execute=True):
        return listed_loan(**kw)


def test_manual_investors_wait_and_are_told_until_when(make_plan, join, listed_loan, investor_factory, clock,
                                                       django_capture_on_commit_callbacks):
    plan = make_plan()
    join(plan, 10_000_00)
    loan = _list_with_hooks(listed_loan, django_capture_on_commit_callbacks, amount_minor=10_000_00)
    public_from = PlanHeadStart.objects.get(loan=loan).public_from
    assert public_from == clock["t"] + timedelta(minutes=30)
    manual = investor_factory(1_000_00)
    with pytest.raises(ApplicationError) as exc:
        lending.invest(investor=manual, loan_id=loan.pk, amount_minor=100_00)
    assert exc.value.code == "plan_head_start" and exc.value.status == 409
    assert timezone.localtime(public_from).strftime("%H:%M") in exc.value.message
    assert bidding.plan_bought(plan.pk, loan.pk) == 500_00  # the plan itself was not held back

    clock["t"] = public_from + timedelta(seconds=1)
    note = lending.invest(investor=manual, loan_id=loan.pk, amount_minor=100_00)
    assert note.amount_minor == 100_00


def test_the_head_start_length_is_a_setting(make_plan, join, listed_loan, clock, settings,
                                            django_capture_on_commit_callbacks):
    settings.PEERLEND = {**settings.PEERLEND, "PLAN_HEAD_START_MINUTES": 5}
    join(make_plan(), 10_000_00)
    loan = _list_with_hooks(listed_loan, django_capture_on_commit_callbacks, amount_minor=10_000_00)
    assert PlanHeadStart.objects.get(loan=loan).public_from == clock["t"] + timedelta(minutes=5)


def test_without_a_plan_the_loan_is_public_at_once(listed_loan, investor_factory,
                                                   django_capture_on_commit_callbacks):
    loan = _list_with_hooks(listed_loan, django_capture_on_commit_callbacks, amount_minor=10_000_00)
    assert not PlanHeadStart.objects.exists()
    note = lending.invest(investor=investor_factory(1_000_00), loan_id=loan.pk, amount_minor=100_00)
    assert note.pk


def test_a_plan_without_money_gives_no_head_start(make_plan, listed_loan, investor_factory,
                                                  django_capture_on_commit_callbacks):
    make_plan()
    loan = _list_with_hooks(listed_loan, django_capture_on_commit_callbacks, amount_minor=10_000_00)
    assert not PlanHeadStart.objects.exists()
    lending.invest(investor=investor_factory(1_000_00), loan_id=loan.pk, amount_minor=100_00)


def test_a_plan_that_may_not_buy_the_loan_gives_no_head_start(make_plan, join, listed_loan,
                                                              django_capture_on_commit_callbacks):
    join(make_plan(lock_months=1, exit_months=0), 10_000_00)  # a 12-month loan outlives it
    _list_with_hooks(listed_loan, django_capture_on_commit_callbacks, amount_minor=10_000_00, term_months=12)
    assert not PlanHeadStart.objects.exists()


def test_the_head_start_refuses_the_api_too(make_plan, join, listed_loan, investor_factory, clock,
                                            django_capture_on_commit_callbacks, client):
    from peerlend.api.auth import issue_token

    join(make_plan(), 10_000_00)
    loan = _list_with_hooks(listed_loan, django_capture_on_commit_callbacks, amount_minor=10_000_00)
    manual = investor_factory(1_000_00)
    token = issue_token(manual)
    response = client.post(f"/api/loans/{loan.pk}/investments", {"amount": "100.00"}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 409
    assert response.json()["code"] == "plan_head_start"
    assert "public_from" in response.json()
