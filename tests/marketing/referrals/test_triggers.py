"""The real triggers: a disbursed note (first investment) or a repaid installment (first repayment)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from peerlend.lending.models import Loan, Note
from peerlend.marketing.models_referrals import ReferralStatus
from peerlend.marketing.referrals.rewards import decide, trigger_of
from peerlend.marketing.referrals.signup import record_signup
from peerlend.servicing.repayments import repay
from tests.factories import make_user
from tests.lending.conftest import deposit, investor_factory, listed_loan, officer  # noqa: F401
from tests.marketing.referrals.conftest import code
from tests.servicing.conftest import borrower, disbursed_loan, schedule  # noqa: F401


def test_a_disbursed_note_is_the_first_investment(disbursed_loan: Callable[..., Loan],  # noqa: F811
                                                  rules: dict[str, Any]) -> None:
    loan = disbursed_loan(amount_minor=12_000_00, term_months=12)
    investor = Note.objects.filter(loan=loan).first().investor  # type: ignore[union-attr]
    assert trigger_of(investor.pk) == "first_investment"
    referral = record_signup(investor, code=code(make_user()))
    assert decide(referral.pk, loan.disbursed_on or schedule(loan)[0].due_date).status == ReferralStatus.REWARDED


def test_a_borrower_qualifies_with_a_repaid_installment(disbursed_loan: Callable[..., Loan],  # noqa: F811
                                                        rules: dict[str, Any]) -> None:
    loan = disbursed_loan(amount_minor=12_000_00, term_months=12)
    assert trigger_of(loan.borrower_id) == ""
    first = schedule(loan)[0]
    due = first.principal_minor + first.interest_minor
    deposit(loan.borrower, due)
    repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=due, today=first.due_date)
    assert trigger_of(loan.borrower_id) == "first_repayment"


def test_nobody_qualifies_by_registering(db: None) -> None:
    assert trigger_of(make_user().pk) == ""
