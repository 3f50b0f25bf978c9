"""What cancelling an application did, in words, for the page and the API (issue 12, finding 16).

The message is built from the refunds really made (the loan's refunded notes), so an application
that never had investors is never said to have refunded any.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peerlend.domain.money import format_grouped
from peerlend.lending.models import Loan, Note, NoteStatus


@dataclass(frozen=True)
class Refunds:
    investors: int
    amount_minor: int


def refunds_of(loan: Loan) -> Refunds:
    """Investors whose frozen cash went back when the listing closed, and how much in all."""
    row = Note.objects.filter(loan=loan, status=NoteStatus.REFUNDED).aggregate(
        investors=Count("investor_id", distinct=True), amount=Sum("amount_minor"))
    return Refunds(int(row["investors"] or 0), int(row["amount"] or 0))


def cancelled_message(loan: Loan) -> str:
    refunds = refunds_of(loan)
    if not refunds.investors:
        return _("The application was cancelled. No one had invested in it, so there was nothing to refund.")
    return ngettext(
        "The application was cancelled. %(n)d investor got back the %(amount)s CNY they had committed to it.",
        "The application was cancelled. %(n)d investors got back the %(amount)s CNY they had committed to it.",
        refunds.investors) % {"n": refunds.investors, "amount": format_grouped(refunds.amount_minor)}
