from __future__ import annotations

from datetime import timedelta

import pytest

from peerlend.clock import set_business_date
from peerlend.errors import ApplicationError, Conflict, PermissionDenied
from peerlend.ledger import services as ledger
from peerlend.lending import services
from peerlend.lending.contract_pdf import render_contract_pdf
from peerlend.lending.models import Loan, Note
from peerlend.servicing.models import Installment
from tests.factories import make_user
from tests.lending.conftest import START, assert_audit_clean, balances


def test_invest_freezes_cash_at_once(listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    note = services.invest(investor=investor, loan_id=loan.pk, amount_minor=300_00)
    assert note.status == "pending"
    assert balances(investor) == (700_00, 300_00)
    loan.refresh_from_db()
    assert loan.funded_minor == 300_00 and loan.status == "listed"
    assert_audit_clean()


@pytest.mark.parametrize(
    ("amount", "code"),
    [(0, "invalid_note_amount"), (-50_00, "invalid_note_amount"), (25_00, "invalid_note_amount"),
     (120_00, "invalid_note_amount")],
)
def test_invest_multiples_of_the_unit(listed_loan, investor_factory, amount, code):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    with pytest.raises(ApplicationError) as exc:
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=amount)
    assert exc.value.code == code
    assert Note.objects.count() == 0 and balances(investor) == (1_000_00, 0)


def test_cannot_invest_more_than_remaining(listed_loan, investor_factory):
    loan = listed_loan(amount_minor=1_000_00)
    investor = investor_factory(5_000_00)
    with pytest.raises(ApplicationError) as exc:
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=1_050_00)
    assert exc.value.code == "over_remaining"
    assert balances(investor) == (5_000_00, 0)


def test_cannot_invest_beyond_available_cash(listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(100_00)
    with pytest.raises(ApplicationError) as exc:
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=150_00)
    assert exc.value.code == "insufficient_funds"
    assert Note.objects.count() == 0 and balances(investor) == (100_00, 0)


def test_borrower_cannot_invest_in_own_loan(listed_loan, borrower):
    from tests.lending.conftest import deposit

    loan = listed_loan()
    deposit(borrower, 1_000_00)
    with pytest.raises(PermissionDenied):
        services.invest(investor=borrower, loan_id=loan.pk, amount_minor=100_00)


def test_cannot_invest_without_kyc(listed_loan):
    loan = listed_loan()
    with pytest.raises(PermissionDenied):
        services.invest(investor=make_user(kyc=False), loan_id=loan.pk, amount_minor=100_00)


def test_cannot_invest_in_a_loan_under_review(borrower, investor_factory):
    from tests.lending.conftest import application

    loan = services.submit_application(borrower=borrower, data=application())
    with pytest.raises(Conflict) as exc:
        services.invest(investor=investor_factory(), loan_id=loan.pk, amount_minor=100_00)
    assert exc.value.code == "not_listed"


def test_full_funding_disburses_in_one_step(listed_loan, investor_factory, borrower):
    loan = listed_loan(amount_minor=10_000_00)
    a, b, c = investor_factory(), investor_factory(), investor_factory()
    services.invest(investor=a, loan_id=loan.pk, amount_minor=5_000_00)
    services.invest(investor=b, loan_id=loan.pk, amount_minor=3_050_00)
    services.invest(investor=c, loan_id=loan.pk, amount_minor=1_950_00)
    loan.refresh_from_db()
    assert loan.status == "current"
    assert loan.disbursed_on == START
    fee = services.origination_fee_minor(loan)
    assert fee > 0
    assert balances(borrower) == (10_000_00 - fee, 0)
    assert ledger.platform_account("fee_income").balance_minor == fee
    for investor, amount in ((a, 5_000_00), (b, 3_050_00), (c, 1_950_00)):
        assert balances(investor) == (100_000_00 - amount, 0)
    notes = list(loan.notes.all())
    assert {n.status for n in notes} == {"active"}
    assert sum(n.principal_outstanding_minor for n in notes) == loan.principal_outstanding_minor == 10_000_00
    schedule = list(Installment.objects.filter(loan=loan))
    assert len(schedule) == 12
    assert sum(i.principal_minor for i in schedule) == 10_000_00
    assert schedule[0].due_date == START.replace(month=START.month + 1)
    contract = loan.contract
    assert contract.terms["amount"] == "10000.00" and len(contract.terms["lenders"]) == 3
    pdf = render_contract_pdf(contract)
    assert pdf.startswith(b"%PDF")
    assert_audit_clean()


def test_unfunded_listing_expires_and_refunds_exactly(listed_loan, investor_factory):
    loan = listed_loan()
    a, b = investor_factory(1_000_00), investor_factory(1_000_00)
    services.invest(investor=a, loan_id=loan.pk, amount_minor=350_00)
    services.invest(investor=b, loan_id=loan.pk, amount_minor=200_00)
    services.invest(investor=a, loan_id=loan.pk, amount_minor=50_00)
    assert services.expire_due_listings(START + timedelta(days=6)) == 0
    assert services.expire_due_listings(START + timedelta(days=7)) == 1
    loan.refresh_from_db()
    assert loan.status == "expired" and loan.funded_minor == 0
    assert balances(a) == (1_000_00, 0) and balances(b) == (1_000_00, 0)
    assert set(loan.notes.values_list("status", flat=True)) == {"refunded"}
    assert services.expire_due_listings(START + timedelta(days=8)) == 0  # idempotent
    assert_audit_clean()


def test_investing_after_the_window_expires_on_access(listed_loan, investor_factory):
    loan = listed_loan()
    early = investor_factory(1_000_00)
    services.invest(investor=early, loan_id=loan.pk, amount_minor=100_00)
    set_business_date(START + timedelta(days=7))
    late = investor_factory(1_000_00)
    with pytest.raises(Conflict) as exc:
        services.invest(investor=late, loan_id=loan.pk, amount_minor=100_00)
    assert exc.value.code == "expired"
    assert Loan.objects.get(pk=loan.pk).status == "expired"
    assert balances(early) == (1_000_00, 0) and balances(late) == (1_000_00, 0)


def test_borrower_cancels_a_listing_and_investors_are_refunded(listed_loan, investor_factory, borrower):
    loan = listed_loan()
    investor = investor_factory(1_000_00)
    services.invest(investor=investor, loan_id=loan.pk, amount_minor=500_00)
    services.cancel(actor=borrower, loan_id=loan.pk, reason="no longer needed")
    loan.refresh_from_db()
    assert loan.status == "cancelled"
    assert balances(investor) == (1_000_00, 0)
    with pytest.raises(Conflict):
        services.invest(investor=investor, loan_id=loan.pk, amount_minor=100_00)
    assert_audit_clean()


def test_cannot_cancel_someone_elses_or_a_funded_loan(listed_loan, investor_factory, borrower):
    loan = listed_loan(amount_minor=1_000_00)
    investor = investor_factory()
    with pytest.raises(PermissionDenied):
        services.cancel(actor=investor, loan_id=loan.pk)
    services.invest(investor=investor, loan_id=loan.pk, amount_minor=1_000_00)
    with pytest.raises(Conflict):
        services.cancel(actor=borrower, loan_id=loan.pk)


def test_run_day_disburses_a_loan_left_funded(listed_loan, investor_factory, monkeypatch):
    """Funding commits first; if the process dies before disbursing, the daily batch finishes the job."""
    from peerlend.servicing.batch import run_day

    loan = listed_loan(amount_minor=1_000_00)
    monkeypatch.setattr("peerlend.lending.funding.disburse_if_funded", lambda loan_id: False)  # where invest calls it
    services.invest(investor=investor_factory(), loan_id=loan.pk, amount_minor=1_000_00)
    assert Loan.objects.get(pk=loan.pk).status == "funded"
    monkeypatch.undo()
    run_day(START)
    assert Loan.objects.get(pk=loan.pk).status == "current"
    assert_audit_clean()
