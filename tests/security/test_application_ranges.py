"""Every count and amount an application states has a documented range, enforced by the service for
every channel (API, web form, agent, simulator) and shown in the API schema and the web form
(issue 11, finding 2: counts and income of applications; finding 6: ``num_il_tl: -1`` was a 500)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.api.lending import ApplicationIn
from peerlend.clock import set_business_date
from peerlend.errors import ApplicationError
from peerlend.lending import services
from peerlend.lending.models import Loan
from peerlend.web.forms_lending import ApplicationForm
from tests.factories import make_user
from tests.lending.conftest import START, application

pytestmark = pytest.mark.django_db


@pytest.fixture
def borrower(db: None) -> User:
    set_business_date(START)
    return make_user(roles=("borrower", "investor"))


def _refused(borrower: Any, **facts: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=borrower, data=application(**facts))
    assert Loan.objects.count() == 0
    return exc.value


@pytest.mark.parametrize("name", sorted(services.FACT_RANGES))
@pytest.mark.parametrize("where", ["below", "above", "huge", "float", "bool"])
def test_a_fact_out_of_range_is_a_400_and_writes_nothing(borrower, name: str, where: str) -> None:
    lo, hi = services.FACT_RANGES[name]
    value = {"below": lo - 1, "above": hi + 1, "huge": 10**20, "float": float(lo) + 0.5, "bool": True}[where]
    error = _refused(borrower, **{name: value})
    assert error.status == 400 and error.code in ("invalid_fact", "invalid_term", "invalid_income",
                                                  "invalid_employment")
    assert error.extra["field"] == name.removesuffix("_minor")


@pytest.mark.parametrize("name", ["revol_util_pct", "all_util_pct"])
@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity"),
                                   Decimal("1e999"), Decimal("-0.01"), Decimal("200.01"), "abc", 1.5])
def test_a_percentage_that_is_not_finite_or_in_range_is_a_400(borrower, name: str, value: Any) -> None:
    error = _refused(borrower, **{name: value})
    assert error.code == "invalid_fact"


def test_the_bounds_themselves_are_accepted(borrower, monkeypatch) -> None:
    # Such a borrower (99 late payments, debts of 1,000,000,000.00 a month) is over any credit limit
    # (issue 17); this test is about the ranges, so the limit check stands aside.
    monkeypatch.setattr("peerlend.lending.intake.check_credit_limit", lambda *args: None)
    facts: dict[str, Any] = {name: hi for name, (_lo, hi) in services.FACT_RANGES.items()}
    facts.update(term_months=12, revol_util_pct=services.MAX_UTILISATION_PCT, all_util_pct=Decimal(0))
    loan = services.submit_application(borrower=borrower, data=application(**facts))
    loan.refresh_from_db()
    assert loan.num_il_tl == services.FACT_RANGES["num_il_tl"][1]
    assert loan.annual_income_minor == services.MAX_ANNUAL_INCOME_MINOR


def test_optional_facts_may_be_left_out_and_required_ones_not(borrower) -> None:
    for name in sorted(set(services.FACT_RANGES) - services.OPTIONAL_FACTS):
        assert _refused(borrower, **{name: None}).extra["field"] == name.removesuffix("_minor")
    loan = services.submit_application(borrower=borrower,
                                       data=application(**{n: None for n in services.OPTIONAL_FACTS}))
    assert loan.pk


def test_the_api_schema_documents_the_same_ranges() -> None:
    props = ApplicationIn.model_json_schema()["properties"]
    api_names = {"term_months", "employment_years", "delinq_2yrs", "inq_last_6mths", "inq_last_12m",
                 "acc_now_delinq", "open_il_6m", "open_il_12m", "open_il_24m", "num_il_tl"}
    for name in api_names:
        lo, hi = services.FACT_RANGES[name]
        text = str(props[name])
        assert f"'minimum': {lo}" in text and f"'maximum': {hi}" in text, (name, props[name])
    for name in ("revol_util_pct", "all_util_pct"):
        assert "'maximum'" in str(props[name]) and "finite" in str(props[name])


def test_the_web_form_shows_the_same_ranges() -> None:
    form = ApplicationForm()
    for name in ("employment_years", "delinq_2yrs", "inq_last_6mths", "open_il_12m", "num_il_tl"):
        lo, hi = services.FACT_RANGES[name]
        assert (form.fields[name].min_value, form.fields[name].max_value) == (lo, hi), name
    bad = ApplicationForm(data={"amount": "12000.00", "term_months": "12", "repayment_method": "equal_principal",
                                "purpose": "education", "annual_income": "99999999999999999999", "housing": "rent",
                                "delinq_2yrs": "0", "inq_last_6mths": "0", "num_il_tl": "1000",
                                "revol_util_pct": "NaN"})
    assert not bad.is_valid()
    assert {"annual_income", "num_il_tl", "revol_util_pct"} <= set(bad.errors)
