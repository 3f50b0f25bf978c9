"""Per-loan disclosure: masked borrower basics, credit summary, status, overdue history, dated facts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from django.test import Client

from peerlend.accounts.models import Role, User
from peerlend.api.auth import issue_token
from peerlend.clock import set_business_date
from peerlend.disclosure.loan_facts import services
from peerlend.disclosure.loan_facts.bands import age_band, employment_band, income_band, score_band
from peerlend.lending.models import Loan
from peerlend.servicing.models import Installment
from tests.disclosure.public.conftest import START, day
from tests.factories import make_staff


def _api(user: User, loan: Loan, query: str = "") -> dict:
    c = Client()
    response = c.get(f"/api/disclosure/loans/{loan.pk}{query}", HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
    assert response.status_code == 200, response.content
    return response.json()


def _panel(user: User | None, loan: Loan, query: str = "") -> str:
    c = Client()
    if user is not None:
        c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = c.get(f"/loans/{loan.pk}/{query}").content.decode()
    start = page.index("data-loan-disclosure")
    return page[start:page.index("</section>", start)]


def _investor(loan: Loan) -> User:
    return loan.notes.order_by("pk").first().investor  # type: ignore[union-attr]


def _pii(loan: Loan) -> list[str]:
    identity = loan.borrower.identity
    plain = identity.decrypted()
    return [plain["real_name"], plain["resident_id"], plain["mobile"], plain["bank_card"], identity.real_name_masked,
            identity.resident_id_masked, identity.mobile_masked, identity.bank_card_masked, loan.borrower.username]


def test_bands_hide_the_exact_values() -> None:
    assert age_band("110101199001011234", START) == "36-45"
    assert age_band("not an id", START) == ""
    assert income_band(180_000_00) == "100,000-199,999"
    assert income_band(900_000_00) == "500,000+"
    assert employment_band(6) == "6-10" and employment_band(0) == "0" and employment_band(None) == ""
    assert score_band(687) == "650-699"


def test_no_personal_data_in_the_api_or_the_panel(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    investor = _investor(loan)
    answer = json.dumps(_api(investor, loan), ensure_ascii=False)
    panel = _panel(investor, loan)
    for value in _pii(loan):
        assert value not in answer, value
        assert value not in panel, value
    assert '"province": "Beijing"' in answer and '"income_band_cny": "100,000-199,999"' in answer


def test_before_funding_the_basics_and_risk_without_status(listed_loan: Callable[..., Loan]) -> None:
    loan = listed_loan()
    answer = _api(make_staff(Role.OPERATOR), loan)
    assert answer["outstanding"] is False and answer["repayment"] is None and answer["facts"] == []
    assert answer["grade"] == loan.grade and answer["purpose_label"] == "Debt consolidation"
    assert "data-repayment-status" not in _panel(None, loan)


def test_overdue_history_counts_days_late(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    first = Installment.objects.get(loan=loan, number=1)
    set_business_date(first.due_date + timedelta(days=5))
    answer = _api(_investor(loan), loan)
    assert answer["overdue_history"] == [{"number": 1, "due_date": first.due_date.isoformat(), "days_late": 5,
                                          "paid_on": None}]
    assert answer["repayment"]["days_past_due"] == 5 and answer["repayment"]["paid"] == 0


def test_facts_are_filtered_by_the_investment_date(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    investor = _investor(loan)
    officer = make_staff(Role.RISK_OFFICER)
    set_business_date(day(10))
    services.record_fact(actor=officer, loan_id=loan.pk, kind="litigation", body="Sued by a supplier.")
    now = _api(investor, loan)
    then = _api(investor, loan, "?known_at=investment")
    assert [f["body"] for f in now["facts"]] == ["Sued by a supplier."]
    assert then["facts"] == [] and then["known_at"] == START.isoformat()
    assert "Sued by a supplier." not in _panel(investor, loan, "?known_at=investment")
    assert "after your investment" in _panel(investor, loan)


def test_a_fact_shown_later_is_hidden_until_its_date(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    investor = _investor(loan)
    services.record_fact(actor=make_staff(Role.COLLECTIONS), loan_id=loan.pk, kind="repayment_ability",
                         body="Lost a main customer.", visible_from=day(3))
    assert _api(investor, loan)["facts"] == []
    set_business_date(day(3))
    assert [f["kind"] for f in _api(investor, loan)["facts"]] == ["repayment_ability"]


def test_known_at_investment_means_nothing_for_someone_without_notes(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    services.record_fact(actor=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, kind="penalty", body="Fined.")
    answer = _api(make_staff(Role.OPERATOR), loan, "?known_at=investment")
    assert answer["known_at"] is None and len(answer["facts"]) == 1


def test_the_use_of_funds_reported_by_the_borrower_is_shown(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    c = Client()
    c.force_login(loan.borrower, backend="django.contrib.auth.backends.ModelBackend")
    assert c.get(f"/my/loans/{loan.pk}/use-of-funds").status_code == 200
    response = c.post(f"/my/loans/{loan.pk}/use-of-funds", {"body": "Paid off two credit cards."})
    assert response.status_code == 302
    assert "Paid off two credit cards." in _panel(_investor(loan), loan)
