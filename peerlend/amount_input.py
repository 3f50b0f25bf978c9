"""Amounts typed into a form or sent in an API body: one syntax, one refusal, every entry point.

Every page form, form field and API route that takes an amount reads it here, so "8,000.00"
is accepted or refused alike on each of them: the syntax is that of
:func:`peerlend.domain.money.parse_amount_minor` (digits in major units, optionally grouped in
threes by commas, at most two decimals, positive, at most 100,000,000,000.00), and a refusal is
an ``ApplicationError`` 400 ``invalid_amount`` whose message is "Invalid amount: <why>" in the
reader's language. Business limits (a loan's minimum, a per-transaction cap) are the caller's.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from peerlend.domain.money import DEFAULT_CURRENCY, parse_amount_minor
from peerlend.domain_errors import domain_message
from peerlend.errors import ApplicationError


def amount_refusal(why: str, field: str = "amount") -> ApplicationError:
    """The one refusal of an unreadable amount; an API field other than ``amount`` is named first."""
    message = _("Invalid amount: %(why)s") % {"why": why}
    return ApplicationError(message if field == "amount" else f"{field}: {message}", code="invalid_amount")


def parse_amount_input(value: object, *, field: str = "amount", currency: str = DEFAULT_CURRENCY) -> int:
    """Positive minor units from a form value or a JSON body's string; ``amount_refusal`` otherwise.

    A JSON number is refused: it may be a float, and "0.1" + "0.2" must stay exact. A missing
    value (``None``) reads as empty ("Enter an amount.").
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise amount_refusal(
            _("amount must be a decimal string in major units, e.g. \"100.00\" (not a JSON number)"), field)
    try:
        return parse_amount_minor(value, currency)
    except ValueError as exc:
        raise amount_refusal(domain_message(exc), field) from None
