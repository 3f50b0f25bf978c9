from peerlend.servicing import services as sv
from peerlend.servicing.batch import run_day
from tests.servicing.conftest import START, assert_audit_clean, deposit, schedule


def test_smoke(disbursed_loan, borrower):
    loan = disbursed_loan()
    inst = schedule(loan)
    deposit(borrower, 5_000_00)
    run_day(inst[0].due_date)
    assert_audit_clean()
    r = sv.repay(actor=borrower, loan_id=loan.pk, amount_minor=100_00)
    assert r.paid_minor == 100_00
    assert_audit_clean()
    q = sv.prepayment_quote(loan, schedule(loan), inst[0].due_date)
    print(q)
