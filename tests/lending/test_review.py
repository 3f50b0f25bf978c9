from __future__ import annotations

from datetime import timedelta

import pytest

from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError, Conflict, PermissionDenied
from peerlend.lending import services
from tests.factories import make_user
from tests.lending.conftest import START, application


def test_approval_lists_for_the_funding_window(borrower, officer):
    loan = services.submit_application(borrower=borrower, data=application())
    loan = services.approve(officer=officer, loan_id=loan.pk, reason="ok")
    assert loan.status == "listed"
    assert loan.listed_on == START
    assert loan.list_expires_on == START + timedelta(days=7)
    assert AuditEvent.objects.filter(action="loan.approve").count() == 1


def test_reject_needs_a_reason_the_borrower_sees(borrower, officer):
    loan = services.submit_application(borrower=borrower, data=application())
    with pytest.raises(ApplicationError):
        services.reject(officer=officer, loan_id=loan.pk, reason="  ")
    loan = services.reject(officer=officer, loan_id=loan.pk, reason="income too low for the amount")
    assert loan.status == "rejected"
    assert loan.decision_reason == "income too low for the amount"
    assert AuditEvent.objects.filter(action="loan.reject").exists()


def test_documents_requested_then_provided_returns_to_review(borrower, officer):
    loan = services.submit_application(borrower=borrower, data=application())
    services.request_documents(officer=officer, loan_id=loan.pk, reason="payslips of 3 months")
    doc = services.UploadedDocument("income", "p.pdf", "application/pdf", b"%PDF payslips")
    loan = services.provide_documents(actor=borrower, loan_id=loan.pk, documents=[doc])
    assert loan.status == "under_review"
    assert loan.documents.count() == 1


def test_only_risk_officers_review(borrower):
    loan = services.submit_application(borrower=borrower, data=application())
    with pytest.raises(PermissionDenied):
        services.approve(officer=make_user(roles=("investor",)), loan_id=loan.pk)


def test_large_loans_need_two_different_officers(borrower, officer, second_officer):
    loan = services.submit_application(borrower=borrower, data=application(amount_minor=80_000_00,
                                                                           annual_income_minor=600_000_00))
    loan = services.approve(officer=officer, loan_id=loan.pk, reason="first look fine")
    assert loan.status == "under_review" and loan.first_approver == officer
    with pytest.raises(PermissionDenied) as exc:
        services.approve(officer=officer, loan_id=loan.pk)
    assert exc.value.code == "maker_checker"
    loan = services.approve(officer=second_officer, loan_id=loan.pk, reason="agree")
    assert loan.status == "listed"
    assert list(loan.decisions.values_list("decision", flat=True)) == ["first_approval", "approve"]


def test_stale_page_is_refused(borrower, officer):
    loan = services.submit_application(borrower=borrower, data=application())
    stale_version = loan.version - 1
    with pytest.raises(Conflict) as exc:
        services.approve(officer=officer, loan_id=loan.pk, version=stale_version)
    assert exc.value.code == "stale"


def test_cannot_decide_twice(borrower, officer):
    loan = services.submit_application(borrower=borrower, data=application())
    services.reject(officer=officer, loan_id=loan.pk, reason="no")
    with pytest.raises(Conflict):
        services.approve(officer=officer, loan_id=loan.pk)


def test_officer_cannot_review_own_application(officer):
    from tests.factories import make_identity

    make_identity(officer)
    officer.roles = [*officer.roles, "borrower"]
    officer.save(update_fields=["roles"])
    loan = services.submit_application(borrower=officer, data=application())
    with pytest.raises(PermissionDenied):
        services.approve(officer=officer, loan_id=loan.pk)
