"""run-day: idempotent, crash-safe (killed at random chunks), set-based; reminders once; collections."""

from __future__ import annotations

import random
from contextlib import suppress
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from peerlend.accounts.models import Role
from peerlend.clock import business_date
from peerlend.errors import PermissionDenied
from peerlend.lending.models import Note
from peerlend.servicing import batch, collections
from peerlend.servicing.models import BatchStep, Installment, Notification, PromiseToPay
from tests.factories import make_staff, make_user
from tests.servicing.conftest import assert_audit_clean, deposit, ledger_snapshot, schedule, young_borrower


class Killed(Exception):
    pass


def _state():
    notes = sorted(Note.objects.values_list("loan_id", "investor_id", "amount_minor", "principal_outstanding_minor",
                                            "principal_received_minor", "interest_received_minor",
                                            "fees_paid_minor", "charged_off_minor", "status"))
    insts = sorted(Installment.objects.values_list(
        "loan_id", "number", "principal_paid_minor", "interest_paid_minor", "late_fee_minor", "penalty_minor",
        "penalty_paid_minor", "late_fee_paid_minor", "status", "compensated_on"))
    return ledger_snapshot(), notes, insts


@pytest.fixture
def portfolio(disbursed_loan, listed_loan, investor_factory):
    """Six loans with different borrowers and cash: some pay, some part-pay, some never pay."""
    loans = []
    for k in range(6):
        who = young_borrower()
        loan = disbursed_loan(amount_minor=6_000_00, term_months=6, borrower=who)
        first = schedule(loan)[0]
        if k % 3 == 0:
            deposit(who, first.payment_minor * 6)
        elif k % 3 == 1:
            deposit(who, first.payment_minor // 2)
        loans.append(loan)
    return loans


def test_same_date_twice_changes_nothing(portfolio):
    day = schedule(portfolio[0])[0].due_date
    batch.run_days(day, day + timedelta(days=20), chunk_size=2)
    before = _state()
    summary = batch.run_day(day + timedelta(days=20), chunk_size=2)
    assert set(summary.values()) == {"already done"}
    assert _state() == before
    # Even with the step markers gone, every step is naturally idempotent.
    BatchStep.objects.filter(business_date=day + timedelta(days=20)).delete()
    batch.run_day(day + timedelta(days=20), chunk_size=2)
    assert _state() == before
    assert_audit_clean()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_at_random_points_ends_in_the_same_ledger(portfolio, seed, monkeypatch):
    first = schedule(portfolio[0])[0].due_date
    dates = [first, first + timedelta(days=16), first + timedelta(days=31), first + timedelta(days=125)]

    def run_all():
        for d in dates:
            batch.run_days(d - timedelta(days=1), d, chunk_size=1)

    # The uninterrupted run, inside a transaction we roll back.
    with suppress(Killed), transaction.atomic():
        run_all()
        expected = _state()
        raise Killed
    assert ledger_snapshot() != expected[0]
    rng = random.Random(seed)
    kills = 0
    for _ in range(200):
        budget = rng.randint(1, 12)
        counter = {"n": 0}

        def hook(step, number, counter=counter, budget=budget):
            counter["n"] += 1
            if counter["n"] >= budget:
                raise Killed(f"killed in {step} after chunk {number}")

        monkeypatch.setattr(batch, "chunk_hook", hook)
        try:
            run_all()
            break
        except Killed:
            kills += 1
    monkeypatch.setattr(batch, "chunk_hook", None)
    run_all()
    assert kills > 0
    assert _state() == expected
    assert_audit_clean()


def test_auto_debit_is_set_based(disbursed_loan):
    loans = []
    for _ in range(4):
        who = young_borrower()
        loan = disbursed_loan(amount_minor=3_000_00, term_months=3, borrower=who)
        deposit(who, 5_000_00)
        loans.append(loan)
    day = schedule(loans[0])[0].due_date
    with CaptureQueriesContext(connection) as few:
        batch.step_auto_debit(day, 500)
    # Per loan a handful of ledger queries; loading notes/installments/accounts is per chunk.
    note_selects = [q for q in few.captured_queries if 'FROM "lending_note"' in q["sql"]]
    assert len(note_selects) == 1, note_selects
    assert all(i.status == "paid" for loan in loans for i in schedule(loan)[:1])


def test_run_day_command_and_business_date(portfolio):
    day = schedule(portfolio[0])[0].due_date
    call_command("run_day", "--date", day.isoformat(), "--until", (day + timedelta(days=2)).isoformat())
    assert business_date() == day + timedelta(days=2)
    assert BatchStep.objects.filter(business_date=day, step="auto_debit").exists()
    assert_audit_clean()


def test_reminders_once_per_event_and_channel(portfolio, mailoutbox):
    first = schedule(portfolio[1])[0]
    day3 = first.due_date - timedelta(days=3)
    batch.run_day(day3)
    # Other events (approval, listing, funding...) notify too; this test counts the reminders.
    reminders = Notification.objects.filter(event_key__startswith="reminder:")
    keys = set(reminders.values_list("event_key", flat=True))
    assert f"reminder:inst{first.pk}:d3" in keys
    count = reminders.count()
    assert count == 3 * len(keys)  # inbox, email, sms
    total = Notification.objects.count()
    BatchStep.objects.all().delete()
    batch.run_day(day3)
    assert Notification.objects.count() == total
    assert reminders.filter(channel="inbox", status="sent").count() == len(keys)
    for offset in (0, 1, 7, 15, 30):
        batch.run_day(first.due_date + timedelta(days=offset))
    kinds = {k.rsplit(":", 1)[1] for k in Notification.objects.filter(
        event_key__startswith=f"reminder:inst{first.pk}:").values_list("event_key", flat=True)}
    assert kinds == {"d3", "d0", "d-1", "d-7", "d-15", "d-30"}


def test_collections_queue_notes_promises_and_roles(portfolio):
    first = schedule(portfolio[2])[0]  # a loan whose borrower has no cash
    batch.run_days(first.due_date, first.due_date + timedelta(days=10))
    agent = make_staff(Role.COLLECTIONS)
    rows = collections.queue(agent)
    row = next(r for r in rows if r.loan.pk == portfolio[2].pk)
    assert row.days_past_due == 10 and row.bucket == "1-15" and row.overdue_minor > 0
    collections.add_contact_note(agent, portfolio[2].pk, "phone", "promised to pay Friday")
    today = business_date()
    promise = collections.record_promise(agent, portfolio[2].pk, 100_00, today + timedelta(days=2))
    investor = make_user(roles=("investor",))
    with pytest.raises(PermissionDenied):
        collections.queue(investor)
    with pytest.raises(PermissionDenied):
        collections.add_contact_note(investor, portfolio[2].pk, "phone", "x")
    deposit(portfolio[2].borrower, 100_00)
    collections.collect(agent, portfolio[2].pk, 100_00, idempotency_key="collect-1")
    batch.run_day(today + timedelta(days=3))
    promise.refresh_from_db()
    assert promise.status == PromiseToPay.Status.KEPT
    assert_audit_clean()


def test_expired_listing_in_run_day(listed_loan, investor_factory):
    loan = listed_loan()
    investor = investor_factory(cash_minor=1_000_00)
    from peerlend.lending import services as lending

    lending.invest(investor=investor, loan_id=loan.pk, amount_minor=500_00)
    batch.run_day(loan.list_expires_on)
    loan.refresh_from_db()
    assert loan.status == "expired"
    assert_audit_clean()
