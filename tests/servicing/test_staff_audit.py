"""Staff actions that move money or change a loan's state leave an audit row whose old and new
values are the loan's own before and after (read from the rows here, never restated)."""

from __future__ import annotations

from datetime import timedelta

from peerlend.accounts.models import Role
from peerlend.clock import business_date
from peerlend.compliance.models import AuditEvent, jsonable
from peerlend.lending.models import Loan
from peerlend.servicing import collections
from peerlend.servicing.batch import run_days
from peerlend.servicing.models import PromiseToPay, ServicingPayment
from tests.factories import make_staff
from tests.servicing.conftest import available, deposit, schedule

CASH = 50_000_00


def _late(disbursed_loan):
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, first.due_date + timedelta(days=10))
    loan.refresh_from_db()
    assert loan.status == "late"
    deposit(loan.borrower, CASH)
    return loan


def _owed(loan) -> int:
    return sum(i.due_minor for i in schedule(loan))


def _events(loan, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, target_type="lending.loan", target_id=str(loan.pk))
                .order_by("pk"))


def test_collect_records_who_took_what_and_the_loan_before_and_after(disbursed_loan):
    loan = _late(disbursed_loan)
    agent = make_staff(Role.COLLECTIONS)
    overdue = sum(i.due_minor for i in schedule(loan) if i.due_date < business_date())
    before = Loan.objects.get(pk=loan.pk)
    owed_before = _owed(loan)
    collections.collect(agent, loan.pk, CASH, idempotency_key="all-overdue")
    after = Loan.objects.get(pk=loan.pk)
    payment = ServicingPayment.objects.get(loan=loan)
    [event] = _events(loan, "servicing.collect")
    assert event.actor_id == agent.pk and event.actor_username == agent.username
    assert event.old == {
        "status": before.status, "principal_outstanding_minor": before.principal_outstanding_minor,
        "owed_minor": owed_before, "borrower_available_minor": CASH,
    }
    assert event.new == {
        "status": after.status, "principal_outstanding_minor": after.principal_outstanding_minor,
        "owed_minor": _owed(loan), "borrower_available_minor": available(loan.borrower),
        "payment_id": payment.pk, "paid_minor": payment.amount_minor,
    }
    # The values really moved: the loan is current again and the overdue amount was taken.
    assert (before.status, after.status) == ("late", "current")
    assert payment.amount_minor == overdue and available(loan.borrower) == CASH - overdue
    # A replay of the same key moves nothing and records nothing.
    collections.collect(agent, loan.pk, CASH, idempotency_key="all-overdue")
    assert len(_events(loan, "servicing.collect")) == 1


def test_a_refused_collect_records_nothing(disbursed_loan):
    loan = disbursed_loan()
    agent = make_staff(Role.COLLECTIONS)
    try:
        collections.collect(agent, loan.pk, 100_00, idempotency_key="not-late")
    except Exception as exc:  # the loan is current: not in collections
        assert getattr(exc, "code", "") == "not_in_collections"
    assert _events(loan, "servicing.collect") == []


def test_a_promise_to_pay_is_audited_with_the_promise_as_recorded(disbursed_loan):
    loan = _late(disbursed_loan)
    agent = make_staff(Role.COLLECTIONS)
    overdue = sum(i.due_minor for i in schedule(loan) if i.due_date < business_date())
    promise = collections.record_promise(agent, loan.pk, overdue, business_date() + timedelta(days=3))
    stored = PromiseToPay.objects.get(pk=promise.pk)
    [event] = AuditEvent.objects.filter(action="servicing.promise_to_pay")
    assert event.actor_id == agent.pk
    assert (event.target_type, event.target_id) == ("servicing.promisetopay", str(stored.pk))
    assert event.old == {}
    assert event.new == {
        "loan_id": stored.loan_id, "amount_minor": stored.amount_minor,
        "promised_on": stored.promised_on.isoformat(), "recorded_on": stored.recorded_on.isoformat(),
        "status": stored.status,
    }


def test_a_charge_off_by_run_day_is_audited_with_the_system_as_actor(disbursed_loan, settings):
    settings.PEERLEND = {**settings.PEERLEND, "DEFAULT_DAYS": 10, "CHARGE_OFF_DAYS": 20}
    loan = disbursed_loan()
    first = schedule(loan)[0]
    run_days(first.due_date, first.due_date + timedelta(days=15))
    before = Loan.objects.get(pk=loan.pk)
    assert before.status == "defaulted" and before.principal_outstanding_minor > 0
    run_days(first.due_date + timedelta(days=16), first.due_date + timedelta(days=25))
    after = Loan.objects.get(pk=loan.pk)
    assert after.status == "charged_off"
    [event] = _events(loan, "loan.charge_off")
    assert event.actor_id is None and event.actor_username == ""
    assert event.old["status"] == before.status and event.new["status"] == after.status
    assert event.old["version"] == before.version and event.new["version"] == after.version
    assert event.old["principal_outstanding_minor"] == before.principal_outstanding_minor
    assert event.new["principal_outstanding_minor"] == after.principal_outstanding_minor == 0
    assert event.new["closed_on"] == after.closed_on.isoformat()
    assert "run-day" in event.reason


def test_a_reconciliation_resolution_is_audited_with_the_items_own_values(db):
    from peerlend.ledger.models import ReconciliationItem
    from peerlend.ledger.reconciliation import import_statement, resolve_item

    import_statement(f"date,reference,amount,direction\n{business_date().isoformat()},UNKNOWN-WIRE,7.00,in\n",
                     filename="s.csv")
    item = ReconciliationItem.objects.get(reference="UNKNOWN-WIRE")
    operator = make_staff(Role.OPERATOR)
    fields = ("status", "side", "direction", "amount_minor", "reference", "resolved_by_id", "resolved_at", "reason",
              "resolution_entry_id")
    before = {name: getattr(item, name) for name in fields}
    entry = resolve_item(operator, item, "unidentified wire, held in suspense")
    after = ReconciliationItem.objects.get(pk=item.pk)
    [event] = AuditEvent.objects.filter(action="ledger.reconciliation.resolve")
    assert event.actor_id == operator.pk
    assert event.old == jsonable(before)
    assert event.new == jsonable({name: getattr(after, name) for name in fields})
    assert event.new["resolved_at"] is not None and event.new["resolved_by_id"] == operator.pk
    assert event.new["resolution_entry_id"] == entry.pk and event.new["status"] == "resolved"
    assert event.old["status"] == "open" and event.old["resolved_by_id"] is None
