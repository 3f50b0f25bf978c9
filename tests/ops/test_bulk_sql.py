"""The bulk insert helpers give the same rows as the ORM would, on both databases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from peerlend.bulk_sql import create_rows, insert_rows_skip_existing
from peerlend.lending.models import Loan, Note, NoteStatus
from peerlend.servicing.models import Notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _loan() -> Loan:
    return Loan.objects.create(
        borrower=make_user(roles=("borrower",)), amount_minor=100_000, term_months=12,
        repayment_method="equal_installment", purpose="debt_consolidation", title="t", annual_income_minor=400_000,
        grade="A3", annual_rate=Decimal("0.0900"), origination_fee_rate=Decimal("0.0200"), status="listed")


def test_create_rows_returns_saved_notes_in_order_with_defaults() -> None:
    loan, investors = _loan(), [make_user() for _ in range(3)]
    day = dt.date(2026, 3, 2)
    notes = create_rows(Note, ("loan_id", "investor_id", "amount_minor", "auto_invested", "placed_on"),
                        [(loan.pk, inv.pk, 5_000 * (i + 1), i == 1, day) for i, inv in enumerate(investors)])
    assert [n.pk for n in notes] == sorted(n.pk for n in notes)
    stored = {n.pk: n for n in Note.objects.filter(pk__in=[n.pk for n in notes])}
    for i, (note, inv) in enumerate(zip(notes, investors, strict=True)):
        row = stored[note.pk]
        assert (row.investor_id, row.amount_minor, row.auto_invested, row.placed_on) == (
            inv.pk, 5_000 * (i + 1), i == 1, day)
        assert row.status == NoteStatus.PENDING and row.principal_outstanding_minor == 0
        assert row.created_at is not None
        assert not note._state.adding


def test_create_rows_of_nothing_is_nothing() -> None:
    assert create_rows(Note, ("loan_id",), []) == []


def test_insert_rows_skip_existing_leaves_out_duplicates_and_keeps_json() -> None:
    user = make_user()
    now = timezone.now()
    fields = ("user_id", "event_key", "event", "channel", "params", "fallback_subject", "fallback_body", "status",
              "error", "created_at", "sent_at")
    first = (user.pk, "k:1", "investment_placed", "inbox", {"loan": 1, "amount_minor": 5_000}, "", "", "sent", "",
             now, now)
    insert_rows_skip_existing(Notification, fields, [first], conflict=("user", "event_key", "channel"))
    again = (user.pk, "k:1", "investment_placed", "inbox", {"changed": True}, "", "", "sent", "", now, now)
    other = (user.pk, "k:2", "investment_placed", "inbox", None, "", "", "sent", "", now, None)
    insert_rows_skip_existing(Notification, fields, [again, other], conflict=("user", "event_key", "channel"))
    rows = {n.event_key: n for n in Notification.objects.filter(user=user)}
    assert set(rows) == {"k:1", "k:2"}
    assert rows["k:1"].params == {"loan": 1, "amount_minor": 5_000}  # the first row stays
    assert rows["k:2"].params is None and rows["k:2"].sent_at is None
