"""Repayment reminder texts, written in each borrower's remembered language (``User.language``)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def reminder_message(*, number: int, loan_id: int, offset_days: int, amount: str, due_on: date,
                     language: str) -> tuple[str, str]:
    """(subject, body) of the reminder ``offset_days`` before (+) or after (-) an installment's due date."""
    with translation.override(language or settings.LANGUAGE_CODE):
        names = {"number": number, "loan": loan_id}
        if offset_days > 0:
            subject = ngettext("Installment %(number)s of loan %(loan)s is due in %(days)d day",
                               "Installment %(number)s of loan %(loan)s is due in %(days)d days",
                               offset_days) % {**names, "days": offset_days}
        elif offset_days == 0:
            subject = _("Installment %(number)s of loan %(loan)s is due today") % names
        else:
            subject = ngettext("Installment %(number)s of loan %(loan)s is %(days)d day overdue",
                               "Installment %(number)s of loan %(loan)s is %(days)d days overdue",
                               -offset_days) % {**names, "days": -offset_days}
        body = _("%(amount)s CNY is due on %(date)s. Keep it in your available balance for the auto-debit.") % {
            "amount": amount, "date": due_on.isoformat()}
    return subject, body
