"""Status mix and grade allocation: an investor's notes by days past due and by grade."""

from __future__ import annotations

from datetime import date

import pytest

from peerlend.investing.chart_data import Slice, allocation_by_grade, status_mix
from peerlend.lending.models import Note
from peerlend.servicing.batch import run_days
from peerlend.servicing.models import Installment
from tests.servicing.conftest import days, deposit

pytestmark = pytest.mark.django_db


def test_current_and_late_notes_fall_in_their_buckets(investor_factory, funded_loan):
    me, other = investor_factory(), investor_factory()
    paying = funded_loan([(me, 1_000_00), (other, 1_000_00)])
    funded_loan([(me, 1_500_00), (other, 500_00)])
    first, second = Installment.objects.filter(loan=paying).order_by("number")[:2]
    deposit(paying.borrower, first.payment_minor + second.payment_minor)
    today = days(first.due_date, 20)
    run_days(first.due_date, today)
    mix = {s.key: s for s in status_mix(me, today)}
    assert set(mix) == {"current", "late_16_30"}
    mine_paying = Note.objects.get(investor=me, loan=paying)
    assert mix["current"] == Slice("current", 1, mine_paying.principal_outstanding_minor)
    assert mix["late_16_30"] == Slice("late_16_30", 1, 1_500_00)
    assert mine_paying.principal_outstanding_minor < 1_000_00  # the first installment was paid
    # Ten days on, the late note moves to the next bucket.
    later = days(today, 11)
    run_days(days(today, 1), later)
    assert [s.key for s in status_mix(me, later)] == ["current", "late_31_120"]


def test_allocation_by_grade_sums_outstanding_principal(investor_factory, funded_loan):
    me, other = investor_factory(), investor_factory()
    a = funded_loan([(me, 1_000_00), (other, 1_000_00)])
    b = funded_loan([(me, 500_00), (me, 250_00), (other, 1_250_00)])
    expected: dict[str, int] = {}
    for loan, amount in ((a, 1_000_00), (b, 750_00)):
        expected[loan.grade or "-"] = expected.get(loan.grade or "-", 0) + amount
    assert dict(allocation_by_grade(me)) == expected
    assert sum(amount for _grade, amount in allocation_by_grade(other)) == 2_250_00


def test_no_notes_no_slices(investor_factory):
    investor = investor_factory(cash_minor=0)
    assert status_mix(investor, date(2026, 6, 1)) == []
    assert allocation_by_grade(investor) == []
