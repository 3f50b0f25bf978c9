from __future__ import annotations

import pytest

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import assign_agent, create_service_point
from peerlend.errors import ApplicationError, PermissionDenied
from peerlend.lending import services
from peerlend.lending.models import Blacklist, FraudHit, Loan
from tests.factories import make_staff, make_user
from tests.lending.conftest import application


def test_online_application_is_screened_scored_and_queued(borrower):
    loan = services.submit_application(borrower=borrower, data=application())
    assert loan.status == "under_review"
    assert loan.channel == "online" and loan.agent is None
    assert loan.grade and loan.grade[0] in "ABCDE"
    assert 0 < loan.pd < 1
    assert loan.annual_rate > 0 and loan.origination_fee_rate >= 0
    assert loan.income_verified is False  # stated online, not checked


def test_application_needs_kyc():
    user = make_user(kyc=False, roles=("borrower",))
    with pytest.raises(PermissionDenied) as exc:
        services.submit_application(borrower=user, data=application())
    assert exc.value.code == "kyc_required"
    assert Loan.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"term_months": 2}, "invalid_term"),
        ({"term_months": 48}, "invalid_term"),
        ({"repayment_method": "balloon"}, "invalid_method"),
        ({"amount_minor": 500_00}, "amount_too_small"),
        ({"amount_minor": 10_020_00}, "amount_not_multiple"),
        ({"purpose": "gambling"}, "invalid_purpose"),
        ({"annual_income_minor": 0}, "invalid_income"),
    ],
)
def test_bad_application_is_refused_and_nothing_written(borrower, overrides, code):
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=borrower, data=application(**overrides))
    assert exc.value.code == code
    assert Loan.objects.count() == 0


def test_person_cap_counts_pipeline_and_shows_figures(borrower):
    services.submit_application(borrower=borrower, data=application(amount_minor=150_000_00))
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=borrower, data=application(amount_minor=60_000_00))
    assert exc.value.code == "borrowing_cap"
    assert "150000.00" in exc.value.message and "60000.00" in exc.value.message and "200000.00" in exc.value.message
    assert Loan.objects.count() == 1


def test_company_cap_is_higher():
    # The company cap belongs to members verified as a company (tests/lending/test_borrower_type.py).
    company = make_user(roles=("borrower",), kind="company")
    loan = services.submit_application(borrower=company, data=application(amount_minor=300_000_00, term_months=24))
    assert loan.pk and loan.borrower_type == "company"
    with pytest.raises(ApplicationError) as exc:
        services.submit_application(borrower=company, data=application(amount_minor=800_000_00))
    assert exc.value.code == "borrowing_cap"


def _agent():
    admin = make_staff(Role.ADMIN)
    point = create_service_point(admin, code="SP-BJ-01", name="Chaoyang store", city="Beijing")
    agent = make_staff(Role.AGENT)
    assign_agent(admin, agent, point, reason="new store")
    return agent, point


def test_offline_application_records_agent_point_and_documents(borrower):
    agent, point = _agent()
    User.objects.filter(pk=borrower.pk).update(registered_point=point)  # registered at the agent's point
    borrower.refresh_from_db()
    doc = services.UploadedDocument("income", "payslip.pdf", "application/pdf", b"%PDF-1.4 payslip")
    loan = services.submit_application(borrower=borrower, data=application(), agent=agent, documents=[doc])
    assert loan.channel == "offline"
    assert loan.agent == agent and loan.service_point == point
    assert loan.income_verified is True  # checked in person
    stored = loan.documents.get()
    assert stored.verified_in_person and stored.sha256
    assert services.document_path(stored).read_bytes() == b"%PDF-1.4 payslip"


def test_non_agent_cannot_file_offline(borrower):
    not_agent = make_user(roles=("investor",))
    with pytest.raises(PermissionDenied):
        services.submit_application(borrower=borrower, data=application(), agent=not_agent)
    assert Loan.objects.count() == 0


def test_document_type_is_checked(borrower):
    agent, point = _agent()
    User.objects.filter(pk=borrower.pk).update(registered_point=point)
    borrower.refresh_from_db()
    doc = services.UploadedDocument("income", "x.exe", "application/x-msdownload", b"MZ")
    with pytest.raises(ApplicationError):
        services.submit_application(borrower=borrower, data=application(), agent=agent, documents=[doc])
    assert Loan.objects.count() == 0


def test_blacklisted_identity_is_rejected_with_reason(borrower):
    officer = make_staff(Role.COMPLIANCE)
    Blacklist.objects.create(id_index=borrower.identity.resident_id_index, reason="fraud ring", added_by=officer)
    loan = services.submit_application(borrower=borrower, data=application())
    assert loan.status == "rejected"
    assert "blacklist" in loan.decision_reason
    assert FraudHit.objects.filter(loan=loan, rule="blacklist").exists()


def test_a_second_application_in_flight_is_rejected(borrower):
    services.submit_application(borrower=borrower, data=application())
    second = services.submit_application(borrower=borrower, data=application(amount_minor=5_000_00))
    assert second.status == "rejected"
    assert second.fraud_hits.filter(rule="duplicate_application").exists()


def test_velocity_rule(borrower, settings):
    settings.PEERLEND = {**settings.PEERLEND, "APPLICATION_VELOCITY_MAX": 2}
    first = services.submit_application(borrower=borrower, data=application())
    services.cancel(actor=borrower, loan_id=first.pk)
    second = services.submit_application(borrower=borrower, data=application())
    services.cancel(actor=borrower, loan_id=second.pk)
    third = services.submit_application(borrower=borrower, data=application())
    assert third.status == "rejected"
    assert third.fraud_hits.filter(rule="velocity").exists()


def test_underage_identity_contradicts_kyc():
    from datetime import date

    from peerlend.domain.validators import make_resident_id
    from tests.factories import make_identity

    young = make_user(kyc=False, roles=("borrower",))
    make_identity(young)
    # KYC refuses minors now; anti-fraud still catches an identity verified before that rule.
    from peerlend.accounts.models import Identity
    from peerlend.compliance.crypto import encrypt_pii

    Identity.objects.filter(user=young).update(
        resident_id_enc=encrypt_pii(make_resident_id("110101", date(2012, 5, 1), 7)))
    loan = services.submit_application(borrower=young, data=application())
    assert loan.status == "rejected"
    assert loan.fraud_hits.filter(rule="underage").exists()


def test_members_sharing_a_bank_card_are_flagged(borrower):
    # KYC refuses a card verified for another member now; anti-fraud still catches rows from before.
    from peerlend.accounts.models import Identity

    other = make_user(roles=("borrower",))
    Identity.objects.filter(user=other).update(bank_card_index=borrower.identity.bank_card_index)
    loan = services.submit_application(borrower=other, data=application())
    assert loan.status == "rejected"
    hit = loan.fraud_hits.get(rule="duplicate_identity")
    assert "1 other member" in hit.reason
