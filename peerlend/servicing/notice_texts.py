"""What each member notice says: its subject and body in the reader's language, from the stored values.

A notice is kept as its event and plain parameters (ids, integer minor units, ISO dates), never as
text, so that the same row reads in English or Chinese, whichever the reader uses at the time
(``Notification.subject`` / ``.body``), and e-mail and SMS are written in the member's language
when they are sent. This module imports no models, so the model can use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from peerlend.domain.money import format_grouped

# event -> (subject, body). Placeholders come from the notice's parameters; an ``x_minor`` value is shown
# as ``x`` in CNY (format_grouped, as on every page).
EVENTS: dict[str, tuple[Any, Any]] = {
    "application_approved": (
        _("Loan application %(loan)s approved"),
        _("Your application for %(amount)s CNY was approved and is now open to lenders.")),
    "application_rejected": (
        _("Loan application %(loan)s declined"),
        _("Your application for %(amount)s CNY was declined: %(reason)s")),
    "documents_requested": (
        _("Documents needed for application %(loan)s"),
        _("The risk team asks for: %(reason)s. Upload them on the loan's page; the review continues then.")),
    "loan_listed": (
        _("Loan %(loan)s is listed"),
        _("Lenders can fund your loan of %(amount)s CNY until %(until)s.")),
    "loan_funded": (
        _("Loan %(loan)s is fully funded"),
        _("Lenders funded all %(amount)s CNY of your loan; it is paid out next.")),
    "loan_disbursed": (
        _("Loan %(loan)s paid out"),
        _("%(received)s CNY reached your available balance (%(amount)s CNY less the %(fee)s CNY origination "
          "fee). Your first installment is due on %(first_due)s.")),
    "investment_disbursed": (
        _("Loan %(loan)s paid out: your note %(note)s is active"),
        _("Your %(amount)s CNY went to the borrower; repayments reach your available balance as they come in.")),
    "listing_expired": (
        _("Loan %(loan)s was not fully funded"),
        _("The funding window closed before lenders funded your loan; nothing was paid out. You may apply again.")),
    "listing_cancelled": (
        _("Loan application %(loan)s cancelled"),
        _("Your application was cancelled; nothing was paid out.")),
    "investment_refunded_expired": (
        _("Refund: loan %(loan)s was not funded in time"),
        _("%(amount)s CNY you had put into loan %(loan)s is back in your available balance.")),
    "investment_refunded_cancelled": (
        _("Refund: loan %(loan)s was cancelled by the borrower"),
        _("%(amount)s CNY you had put into loan %(loan)s is back in your available balance.")),
    "investment_placed": (
        _("Note %(note)s in loan %(loan)s recorded"),
        _("%(amount)s CNY is frozen in your account until the loan is funded, or refunded in full if it is not.")),
    "repayment_received": (
        _("Repayment received from loan %(loan)s"),
        _("%(net)s CNY reached your available balance: principal %(principal)s CNY + interest %(interest)s CNY "
          "- service fee %(fee)s CNY.")),
    "deposit_completed": (
        _("Deposit of %(amount)s CNY received"),
        _("%(amount)s CNY is in your available balance.")),
    "deposit_failed": (
        _("Deposit of %(amount)s CNY failed"),
        _("The bank did not complete the payment; nothing was added to your balance.")),
    "withdrawal_completed": (
        _("Withdrawal of %(amount)s CNY paid out"),
        _("%(amount)s CNY was sent to your bank card.")),
    "withdrawal_failed": (
        _("Withdrawal of %(amount)s CNY failed"),
        _("The bank did not pay it out; %(amount)s CNY is back in your available balance.")),
    # Issue 16: the title is shown as the operator typed it (one language); the wording around it is translated.
    "risk_event_published": (
        _("Risk event notice: %(title)s"),
        _("On %(date)s the platform published a notice of a major risk event: “%(title)s”. Read it in "
          "full on the public disclosure page of risk events (notice %(event)s).")),
}


def _reminder(values: dict[str, Any]) -> tuple[str, str]:
    """An installment ``days`` before (+) or after (-) its due date."""
    days = int(values["days"])
    names = {"number": values["number"], "loan": values["loan"]}
    if days > 0:
        subject = ngettext("Installment %(number)s of loan %(loan)s is due in %(days)d day",
                           "Installment %(number)s of loan %(loan)s is due in %(days)d days",
                           days) % {**names, "days": days}
    elif days == 0:
        subject = gettext("Installment %(number)s of loan %(loan)s is due today") % names
    else:
        subject = ngettext("Installment %(number)s of loan %(loan)s is %(days)d day overdue",
                           "Installment %(number)s of loan %(loan)s is %(days)d days overdue",
                           -days) % {**names, "days": -days}
    amounts = {"amount": values["amount"], "date": values["due_on"]}
    if days >= 0:
        body = gettext("%(amount)s CNY is due on %(date)s. Keep it in your available balance for the auto-debit.")
    else:  # past its date: it says so, and that waiting costs more
        body = gettext("%(amount)s CNY was due on %(date)s and is not paid yet. Late fees and penalty interest "
                       "are added while it stays unpaid: deposit it and pay it from your loan's page.")
    return subject, body % amounts


def _campaign(values: dict[str, Any]) -> tuple[str, str]:
    """Issue 15 part 5: a marketing campaign's message, the body as the operator typed it (one language)."""
    return gettext("Member offer: %(campaign)s") % {"campaign": values["campaign"]}, str(values["message"])


# Events whose wording depends on the values (plural forms, before or after a date, typed text).
COMPOSED: dict[str, Callable[[dict[str, Any]], tuple[str, str]]] = {
    "installment_reminder": _reminder,
    "marketing_campaign": _campaign,
}


def known(event: str) -> bool:
    return event in EVENTS or event in COMPOSED


def _values(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in params.items():
        if name.endswith("_minor") and isinstance(value, int):
            out[name.removesuffix("_minor")] = format_grouped(value)
        else:
            out[name] = value
    return out


def render(event: str, params: dict[str, Any], *, language: str | None = None) -> tuple[str, str]:
    """(subject, body) of ``event`` with ``params``, in ``language`` (the active one when None).

    Raises ``KeyError`` for an unknown event or a missing value (callers fall back to stored text).
    """
    values = _values(params)
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        if event in COMPOSED:
            return COMPOSED[event](values)
        subject, body = EVENTS[event]
        return str(subject) % values, str(body) % values
