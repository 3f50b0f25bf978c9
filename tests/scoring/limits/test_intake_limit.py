"""Applications over the credit limit are refused with the figures, and nothing is written."""

import datetime as dt

import pytest

from peerlend.errors import ApplicationError
from peerlend.lending import services
from peerlend.lending.models import Loan
from peerlend.scoring.limits import borrower_limit
from tests.scoring.limits.conftest import application, borrower, monthly, past_loan


def test_over_the_income_bound_is_refused_with_figures(db):
    user = borrower()
    # 60,000 a year: the debt-service bound is 2,500 a month x 30 = 75,000.00.
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=user, data=application(amount_minor=80_000_00,
                                                                    annual_income_minor=60_000_00))
    assert exc.value.code == "credit_limit"
    assert "80000.00" in exc.value.message
    assert exc.value.extra["available"] == exc.value.extra["limit"]
    assert Loan.objects.count() == 0


def test_within_the_limit_is_filed(db):
    loan = services.submit_application(borrower=borrower(), data=application(amount_minor=50_000_00,
                                                                            annual_income_minor=60_000_00))
    assert loan.pk and loan.status == "under_review"


def test_outstanding_loans_use_up_the_limit(db):
    user = borrower()
    past_loan(user, status="current", installments=monthly(dt.date(2026, 1, 10), 5), outstanding_minor=60_000_00)
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=user, data=application(amount_minor=30_000_00,
                                                                    annual_income_minor=60_000_00))
    assert exc.value.code == "credit_limit"
    assert exc.value.extra["outstanding"] == "60000.00"
    assert Loan.objects.filter(borrower=user).count() == 1


def test_declared_monthly_debt_lowers_the_limit(db):
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=borrower(), data=application(
            amount_minor=30_000_00, annual_income_minor=60_000_00, monthly_debt_payments_minor=2_000_00))
    assert exc.value.code == "credit_limit" and exc.value.extra["bounds"] == ["debt_service"]


def test_api_answers_400_with_the_figures(client, db):
    user = borrower()
    client.force_login(user)
    body = {"amount": "90000.00", "term_months": 24, "repayment_method": "equal_installment",
            "purpose": "business", "annual_income": "60000.00", "employment_years": 8}
    r = client.post("/api/loans", body, content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "credit_limit"
    assert Loan.objects.count() == 0


def test_limit_is_recomputed_after_a_late_installment(db):
    user = borrower()
    services.submit_application(borrower=user, data=application(amount_minor=10_000_00))
    before = borrower_limit(user.pk)
    past_loan(user, status="late", disbursed_on=dt.date(2026, 1, 1),
              installments=[(dt.date(2026, 3, 1), None)], outstanding_minor=0)
    after = borrower_limit(user.pk)
    assert before is not None and after is not None
    # 106 days past due: -60 points; the PD band drops and so does the income bound.
    income = {b.name: b.limit_minor for b in before.bounds}["income"]
    assert {b.name: b.limit_minor for b in after.bounds}["income"] < income
