"""`make run`'s demo: loans open for investment across grades and terms, demo members with a full history."""

from __future__ import annotations

import pytest

from peerlend.accounts.models import User
from peerlend.clock import business_date
from peerlend.investing.selectors import suitability_of
from peerlend.lending.models import Loan, Note
from peerlend.simulation.demo import seed_demo

pytestmark = pytest.mark.slow

EVERY_STATE = {"current", "late", "fully_paid", "charged_off", "prepaid"}


@pytest.mark.django_db
def test_demo_has_open_loans_and_members_with_loans_in_every_state():
    from peerlend.ledger.audit import run_audit

    logins = seed_demo()
    assert {login.username for login in logins} >= {"demo-investor", "demo-borrower"}
    listed = Loan.objects.filter(status="listed")
    assert listed.count() >= 10
    assert len({loan.grade[:1] for loan in listed}) >= 2 and len({loan.term_months for loan in listed}) >= 3

    borrower = User.objects.get(username="demo-borrower")
    assert set(Loan.objects.filter(borrower=borrower).values_list("status", flat=True)) >= EVERY_STATE
    investor = User.objects.get(username="demo-investor")
    assert set(Note.objects.filter(investor=investor).values_list("loan__status", flat=True)) >= EVERY_STATE
    # One small note per loan, not several.
    assert Note.objects.filter(investor=investor).count() == Note.objects.filter(
        investor=investor).values("loan").distinct().count()
    # The demo investor can invest at once: questionnaire answered (still valid) and disclosure acknowledged.
    suitability = suitability_of(investor, business_date())
    assert suitability.assessment and not suitability.expired and suitability.acknowledged
    assert run_audit() == []
