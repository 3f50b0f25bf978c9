"""The periodic job that closes listings (reads never do): ``peerlend expire-listings``."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from peerlend.clock import set_business_date
from peerlend.lending import services
from peerlend.lending.models import Loan, Note
from tests.lending.conftest import assert_audit_clean, balances


def _run(*args: str) -> str:
    out = StringIO()
    call_command("expire_listings", *args, stdout=out)
    return out.getvalue()


def test_the_job_expires_a_closed_window_and_refunds(listed_loan, investor_factory):
    loan = listed_loan(amount_minor=1_000_00)
    investor = investor_factory(500_00)
    services.invest(investor=investor, loan_id=loan.pk, amount_minor=200_00)
    assert loan.list_expires_on is not None
    set_business_date(loan.list_expires_on - timedelta(days=1))
    assert "expired 0 listing(s)" in _run()
    assert Loan.objects.get(pk=loan.pk).status == "listed"
    set_business_date(loan.list_expires_on)
    assert "expired 1 listing(s)" in _run()
    assert Loan.objects.get(pk=loan.pk).status == "expired"
    assert Note.objects.get(loan=loan).status == "refunded" and balances(investor) == (500_00, 0)
    assert "expired 0 listing(s)" in _run()  # safe to re-run
    assert_audit_clean()


def test_the_job_takes_an_explicit_date(listed_loan):
    loan = listed_loan(amount_minor=1_000_00)
    assert loan.list_expires_on is not None
    assert "expired 1 listing(s)" in _run("--date", loan.list_expires_on.isoformat())
    assert Loan.objects.get(pk=loan.pk).status == "expired"
    with pytest.raises(CommandError):
        _run("--date", "tomorrow")
