"""Who may add a fact: officers record dated facts (audited); a borrower reports use of funds on their own loan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from peerlend.accounts.models import Role, User
from peerlend.compliance.models import AuditEvent
from peerlend.disclosure.loan_facts import services
from peerlend.disclosure.models_events import LoanFact
from peerlend.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from peerlend.lending.models import Loan
from tests.disclosure.public.conftest import START, day
from tests.factories import make_staff, make_user


def _client(user: User) -> Client:
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


@pytest.mark.parametrize("role", [Role.RISK_OFFICER, Role.COLLECTIONS])
def test_officers_record_a_dated_audited_fact(disbursed_loan: Callable[..., Loan], role: str) -> None:
    loan = disbursed_loan()
    officer = make_staff(role)
    fact = services.record_fact(actor=officer, loan_id=loan.pk, kind="litigation", body="Court case 2026-17.",
                                values={"case": "2026-17"})
    assert (fact.recorded_at, fact.visible_from, fact.recorded_by) == (START, START, officer)
    audit = AuditEvent.objects.get(action="disclosure.loan_fact_recorded")
    assert (audit.target_type, audit.target_id, audit.actor_id) == ("disclosure.loanfact", str(fact.pk), officer.pk)
    assert audit.new["body"] == "Court case 2026-17." and audit.new["loan"] == loan.pk


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.COMPLIANCE, Role.REGULATOR, Role.AGENT])
def test_other_staff_cannot_record_facts(disbursed_loan: Callable[..., Loan], role: str) -> None:
    loan = disbursed_loan()
    with pytest.raises(PermissionDenied):
        services.record_fact(actor=make_staff(role), loan_id=loan.pk, kind="litigation", body="x")
    assert not LoanFact.objects.exists()


def test_members_cannot_record_officer_facts(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    for member in (loan.borrower, loan.notes.first().investor):  # type: ignore[union-attr]
        with pytest.raises(PermissionDenied):
            services.record_fact(actor=member, loan_id=loan.pk, kind="penalty", body="x")
    assert not LoanFact.objects.exists()


def test_an_officer_cannot_pass_off_a_use_of_funds_report(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    with pytest.raises(ApplicationError) as caught:
        services.record_fact(actor=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, kind="use_of_funds", body="x")
    assert caught.value.extra["field"] == "kind"


@pytest.mark.parametrize(("visible_from", "body"), [(day(-1), "ok"), (day(31), "ok"), (None, ""), (None, "x" * 4001)])
def test_fact_values_out_of_range_are_refused(disbursed_loan: Callable[..., Loan], visible_from: object,
                                              body: str) -> None:
    loan = disbursed_loan()
    with pytest.raises(ApplicationError) as caught:
        services.record_fact(actor=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, kind="other", body=body,
                             visible_from=visible_from)  # type: ignore[arg-type]
    assert caught.value.status == 400 and caught.value.code == "invalid_loan_fact"
    assert not LoanFact.objects.exists()


def test_facts_need_a_paid_out_loan(listed_loan: Callable[..., Loan]) -> None:
    loan = listed_loan()
    with pytest.raises(Conflict):
        services.record_fact(actor=make_staff(Role.RISK_OFFICER), loan_id=loan.pk, kind="other", body="x")
    with pytest.raises(Conflict):
        services.report_use_of_funds(borrower=loan.borrower, loan_id=loan.pk, body="Bought a car.")


def test_only_the_borrower_reports_the_use_of_funds(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    for other in (make_user(roles=("borrower", "investor")), loan.notes.first().investor,  # type: ignore[union-attr]
                  make_staff(Role.RISK_OFFICER)):
        with pytest.raises(NotFound):
            services.report_use_of_funds(borrower=other, loan_id=loan.pk, body="Not mine.")
    fact = services.report_use_of_funds(borrower=loan.borrower, loan_id=loan.pk, body="Bought a car.")
    assert (fact.kind, fact.recorded_by, fact.visible_from) == ("use_of_funds", loan.borrower, START)


def test_the_fact_page_is_for_officers_only(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    assert _client(loan.notes.first().investor).get(  # type: ignore[union-attr]
        f"/loans/{loan.pk}/disclosure/facts").status_code == 403
    assert _client(make_staff(Role.OPERATOR)).post(
        f"/loans/{loan.pk}/disclosure/facts", {"kind": "other", "body": "x"}).status_code == 403
    officer = _client(make_staff(Role.COLLECTIONS))
    assert officer.get(f"/loans/{loan.pk}/disclosure/facts").status_code == 200
    response = officer.post(f"/loans/{loan.pk}/disclosure/facts", {"kind": "penalty", "body": "Fined by the SAMR."})
    assert response.status_code == 302
    assert LoanFact.objects.get().body == "Fined by the SAMR."


def test_someone_elses_use_of_funds_page_does_not_exist(disbursed_loan: Callable[..., Loan]) -> None:
    loan = disbursed_loan()
    stranger = _client(make_user(roles=("borrower", "investor")))
    assert stranger.get(f"/my/loans/{loan.pk}/use-of-funds").status_code == 404
    assert stranger.post(f"/my/loans/{loan.pk}/use-of-funds", {"body": "x"}).status_code == 404
    assert not LoanFact.objects.exists()
