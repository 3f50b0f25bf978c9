"""The borrower type and cap come from the verified identity; borrowers are young enough at maturity."""

from __future__ import annotations

from datetime import date

import pytest

from peerlend.domain.validators import make_resident_id
from peerlend.errors import ApplicationError
from peerlend.lending import services
from peerlend.lending.models import Loan
from tests.factories import make_identity, make_user
from tests.lending.conftest import START, application

pytestmark = pytest.mark.django_db


def _api_body(**over):
    return {"amount": "500000.00", "term_months": 24, "repayment_method": "equal_installment",
            "purpose": "business", "annual_income": "2000000.00", "employment_years": 8, **over}


def _born(years_before_start: int, days: int = 0) -> date:
    return date(START.year - years_before_start, START.month, START.day + days)


def _person_aged(years: int, days: int = 0):
    user = make_user(kyc=False, roles=("borrower",))
    make_identity(user, resident_id=make_resident_id("110101", _born(years, days), 31))
    return user


# -- borrower type (issue 11, finding 5) ----------------------------------------------------------


def test_person_declaring_company_for_500000_is_refused_and_nothing_written(client, borrower):
    client.force_login(borrower)
    r = client.post("/api/loans", _api_body(borrower_type="company"), content_type="application/json")
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "borrower_type_mismatch"
    assert "person" in r.json()["detail"]
    # Without the field the person cap (200,000.00) applies.
    r = client.post("/api/loans", _api_body(), content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "borrowing_cap"
    assert "200000.00" in r.json()["detail"]
    assert Loan.objects.count() == 0


def test_person_declaring_company_through_the_service_is_refused(borrower):
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=borrower, data=application(amount_minor=500_000_00,
                                                                        borrower_type="company"))
    assert exc.value.code == "borrower_type_mismatch"
    assert Loan.objects.count() == 0


def test_company_member_gets_the_company_cap_and_type(client):
    company = make_user(roles=("borrower",), kind="company")
    client.force_login(company)
    r = client.post("/api/loans", _api_body(), content_type="application/json")
    assert r.status_code == 201, r.content
    loan = Loan.objects.get()
    assert loan.borrower_type == "company" and loan.amount_minor == 500_000_00
    r = client.post("/api/loans", _api_body(amount="600000.00", borrower_type="person"),
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "borrower_type_mismatch"


def test_matching_declared_type_is_accepted(borrower):
    loan = services.submit_application(borrower=borrower, data=application(borrower_type="person"))
    assert loan.borrower_type == "person" and loan.status == "under_review"


def test_apply_form_has_no_borrower_type_and_ignores_one_posted(client, borrower):
    client.force_login(borrower)
    assert b'name="borrower_type"' not in client.get("/apply/").content
    r = client.post("/apply/", {
        "amount": "500,000.00", "term_months": "24", "repayment_method": "equal_installment", "purpose": "business",
        "borrower_type": "company", "annual_income": "2000000.00", "housing": "rent", "delinq_2yrs": "0",
        "inq_last_6mths": "0",
    })
    assert r.status_code == 200 and b"200000.00" in r.content  # the person cap
    assert Loan.objects.count() == 0


# -- age at maturity (issue 12, defect 1) ---------------------------------------------------------


def test_58_year_old_is_refused_for_36_months_and_accepted_for_12():
    borrower = _person_aged(58)
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=borrower, data=application(term_months=36))
    assert exc.value.code == "age_at_maturity"
    assert "61" in exc.value.message and "60" in exc.value.message
    assert Loan.objects.count() == 0
    loan = services.submit_application(borrower=borrower, data=application(term_months=12))
    assert loan.status == "under_review"


def test_boundary_of_the_age_at_maturity():
    # Application on 2026-03-02 for 36 months: maturity is taken as 2029-03-02.
    # Born 1968-03-03: 60 on that day (61 the day after) -> accepted.
    assert services.submit_application(borrower=_person_aged(58, days=1), data=application(term_months=36)).pk
    # Born 1968-03-02: 61 on that day -> refused.
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=_person_aged(58), data=application(term_months=36))
    assert exc.value.code == "age_at_maturity"


def test_company_is_not_limited_by_its_representatives_age():
    company = make_user(kyc=False, roles=("borrower",))
    make_identity(company, kind="company", resident_id=make_resident_id("110101", _born(58), 33))
    assert services.submit_application(borrower=company, data=application(term_months=36)).pk


def test_age_limit_is_a_setting(settings):
    settings.PEERLEND = {**settings.PEERLEND, "BORROWER_MAX_AGE_AT_MATURITY": 65}
    assert services.submit_application(borrower=_person_aged(58), data=application(term_months=36)).pk


def test_age_at_maturity_refused_on_the_api(client):
    borrower = _person_aged(58)
    client.force_login(borrower)
    r = client.post("/api/loans", _api_body(amount="10000.00", term_months=36), content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "age_at_maturity"
