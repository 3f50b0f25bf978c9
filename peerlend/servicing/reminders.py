"""Repayment reminders: kept as values and read in each borrower's language (``notice_texts``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from peerlend.servicing import notice_texts, notices

EVENT = "installment_reminder"


def reminder_message(*, number: int, loan_id: int, offset_days: int, amount: str, due_on: date,
                     language: str) -> tuple[str, str]:
    """(subject, body) of the reminder ``offset_days`` before (+) or after (-) an installment's due date."""
    return notice_texts.render(EVENT, {"number": number, "loan": loan_id, "days": offset_days, "amount": amount,
                                       "due_on": due_on.isoformat()}, language=language or None)


def queue_reminders(due: Iterable[tuple[Any, int]]) -> int:
    """Store the reminder for each (installment, days before its due date) on the borrower's channels.

    The installment carries ``borrower_id`` (annotated by the batch). The row keeps the values, so the
    reminder reads in whichever language the borrower uses; e-mail and SMS leave through the outbox.
    """
    rows = [notices.StoredNotice(inst.borrower_id, f"reminder:inst{inst.pk}:d{offset}", EVENT, {
        "number": inst.number, "loan": inst.loan_id, "days": offset, "amount_minor": inst.due_minor,
        "due_on": inst.due_date.isoformat()}) for inst, offset in due]
    notices.store(rows, reachable_only=False)
    return len(rows)
