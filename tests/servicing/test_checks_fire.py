"""Every servicing audit check can fail: each invariant is broken with raw SQL and the audit names it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection, transaction

from peerlend.ledger.audit import registered_checks, run_audit
from peerlend.lending.models import Loan, Note
from peerlend.servicing.batch import run_day
from peerlend.servicing.models import ServicingPayment
from tests.servicing.conftest import deposit, schedule


def fired() -> set[str]:
    return {v.check for v in run_audit()}


def sql(statement: str, params: tuple[object, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture(autouse=True)
def rolled_back(db: None) -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def repaid_loan(disbursed_loan, borrower) -> Loan:
    """A loan with three holders whose first installment was auto-debited: a payment, notes with receipts."""
    loan = disbursed_loan(amount_minor=6_000_00, term_months=6)
    first = schedule(loan)[0]
    deposit(borrower, first.payment_minor)
    run_day(first.due_date)
    assert ServicingPayment.objects.filter(loan=loan).count() == 1
    assert schedule(loan)[0].status == "paid"
    assert fired() == set()
    return loan


def _note(loan: Loan) -> int:
    return Note.objects.filter(loan=loan).order_by("pk").values_list("pk", flat=True)[0]


def payment_amount_edited(loan: Loan) -> None:
    sql("UPDATE servicing_servicingpayment SET amount_minor = amount_minor + 1 WHERE loan_id = %s", (loan.pk,))


def note_interest_received_edited(loan: Loan) -> None:
    sql("UPDATE lending_note SET interest_received_minor = interest_received_minor + 1 WHERE id = %s",
        (_note(loan),))


def note_amount_edited(loan: Loan) -> None:
    sql("UPDATE lending_note SET amount_minor = amount_minor + 1 WHERE id = %s", (_note(loan),))


def scheduled_principal_marked_paid(loan: Loan) -> None:
    sql("UPDATE servicing_installment SET principal_paid_minor = principal_paid_minor + 1 "
        "WHERE loan_id = %s AND number = 2", (loan.pk,))


def paid_installment_principal_grown(loan: Loan) -> None:
    # Still fully paid (principal and principal paid grow together), but the schedule no longer sums to the loan.
    sql("UPDATE servicing_installment SET principal_minor = principal_minor + 1, "
        "principal_paid_minor = principal_paid_minor + 1 WHERE loan_id = %s AND number = 1", (loan.pk,))


def reserve_repaid_without_compensation(loan: Loan) -> None:
    sql("UPDATE servicing_installment SET reserve_repaid_minor = 1 WHERE loan_id = %s AND number = 1", (loan.pk,))


CASES: list[tuple[Callable[[Loan], None], set[str]]] = [
    (payment_amount_edited, {"servicing.cash_in_equals_cash_out"}),
    (note_interest_received_edited, {"servicing.cash_in_equals_cash_out"}),
    (note_amount_edited, {"servicing.note_balances"}),
    (scheduled_principal_marked_paid, {"servicing.schedule_matches_notes"}),
    (paid_installment_principal_grown, {"servicing.schedule_principal_sums"}),
    (reserve_repaid_without_compensation, {"servicing.reserve_claims"}),
]


@pytest.mark.parametrize(("corrupt", "expected"), CASES, ids=[c.__name__ for c, _ in CASES])
def test_each_servicing_check_reports_its_corruption(repaid_loan, corrupt, expected):
    corrupt(repaid_loan)
    found = run_audit()
    assert {v.check for v in found} == expected, found


def test_a_payment_whose_ledger_entry_disagrees_is_named(repaid_loan):
    """The payment row and its entry are compared: a row edited after posting is reported as such."""
    payment_amount_edited(repaid_loan)
    messages = [v.message for v in run_audit() if v.check == "servicing.cash_in_equals_cash_out"]
    assert any("ledger moved out" in m for m in messages), messages
    assert any("!= notes" in m for m in messages), messages


def test_a_closed_loan_that_lost_its_schedule_is_named(repaid_loan):
    """No lending check looks at a closed loan's schedule; the servicing sum must see an empty one."""
    sql("UPDATE lending_loan SET status = 'fully_paid' WHERE id = %s", (repaid_loan.pk,))
    sql("DELETE FROM servicing_installment WHERE loan_id = %s", (repaid_loan.pk,))
    messages = [v.message for v in run_audit() if v.check == "servicing.schedule_principal_sums"]
    assert messages == [f"loan {repaid_loan.pk}: installments' principal 0 != amount {repaid_loan.amount_minor}"]


def test_every_servicing_check_has_a_corruption_that_fires_it():
    named = {check for _corrupt, expected in CASES for check in expected}
    own = {name for name in registered_checks() if name.startswith("servicing.")}
    assert own and own <= named, f"no test breaks {sorted(own - named)}"
