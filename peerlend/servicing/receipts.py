"""What a borrower's payment really did, in words: what was taken, from which balance, what it paid, what remains.

Every servicing message about money is built here from the amounts the service actually moved and the
schedule as it stands after the payment, so that no message can claim money that never moved (issue 12,
finding 4: a payment of 99,999,999 once "left" 99,997,361.94 CNY in a balance that never held it).
Amounts are grouped like everywhere on screen (``format_grouped``, the same as the ``money`` filter).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from peerlend.domain.money import format_grouped
from peerlend.errors import Conflict
from peerlend.servicing.models import Installment, ServicingPayment


def cny(minor: int) -> str:
    return format_grouped(minor)


def over_balance(requested_minor: int, available_minor: int) -> Conflict:
    """The borrower typed more than their available balance holds: refused, nothing moves."""
    return Conflict(
        _("You entered %(requested)s CNY, but your available balance is %(have)s CNY: a payment can take only "
          "what you have. Nothing was taken.") % {"requested": cny(requested_minor), "have": cny(available_minor)},
        code="insufficient_funds",
    )


def insufficient(available_minor: int, need_minor: int) -> Conflict:
    return Conflict(
        _("insufficient available balance: have %(have)s CNY, need %(need)s CNY")
        % {"have": cny(available_minor), "need": cny(need_minor)}, code="insufficient_funds",
    )


def taken(amount_minor: int, balance_after_minor: int | None) -> str:
    """Who paid and from which balance; the borrower also sees what is left in it."""
    if balance_after_minor is None:
        return _("%(amount)s CNY was collected from the borrower's available balance.") % {"amount": cny(amount_minor)}
    return _("%(amount)s CNY was taken from your available balance, which now holds %(balance)s CNY.") % {
        "amount": cny(amount_minor), "balance": cny(balance_after_minor)}


def split(payment: ServicingPayment) -> str:
    """Where the money went: principal, interest (penalty interest included), late fee, the risk reserve."""
    text = _("It paid %(principal)s CNY of principal, %(interest)s CNY of interest and %(fee)s CNY of late fees.") % {
        "principal": cny(payment.principal_to_notes_minor), "interest": cny(payment.interest_to_notes_minor),
        "fee": cny(payment.late_fee_minor)}
    if payment.to_reserve_minor:
        text += " " + _("%(amount)s CNY repaid the risk reserve, which had paid the investors for the overdue "
                        "installments.") % {"amount": cny(payment.to_reserve_minor)}
    return text


def not_taken(requested_minor: int, payable_minor: int, *, borrower: bool) -> str:
    """An amount above what could be paid: say what was entered, what could be paid, and that the rest stayed."""
    rest = requested_minor - payable_minor
    if borrower:
        return _("You entered %(requested)s CNY, but only %(payable)s CNY could be paid now, so the other "
                 "%(rest)s CNY was not taken and stays in your available balance.") % {
            "requested": cny(requested_minor), "payable": cny(payable_minor), "rest": cny(rest)}
    return _("%(requested)s CNY was asked, but only %(payable)s CNY is due now, so the rest was not taken.") % {
        "requested": cny(requested_minor), "payable": cny(payable_minor)}


def remaining(installments: Sequence[Installment], today: date) -> str:
    """What is still owed after the payment, and the next installment to pay."""
    unpaid = [i for i in installments if i.due_minor > 0]
    if not unpaid:
        return _("Nothing more is owed on this loan.")
    owed = sum(i.due_minor for i in unpaid)
    nxt = unpaid[0]
    values = {"owed": cny(owed), "n": len(unpaid), "next": cny(nxt.due_minor), "date": nxt.due_date.isoformat()}
    if nxt.due_date < today:
        return ngettext(
            "Still owed: %(owed)s CNY in %(n)d installment; the oldest, %(next)s CNY, was due on %(date)s and "
            "is overdue.",
            "Still owed: %(owed)s CNY in %(n)d installments; the oldest, %(next)s CNY, was due on %(date)s and "
            "is overdue.", len(unpaid)) % values
    return ngettext(
        "Still owed: %(owed)s CNY in %(n)d installment; the next, %(next)s CNY, is due on %(date)s.",
        "Still owed: %(owed)s CNY in %(n)d installments; the next, %(next)s CNY, is due on %(date)s.",
        len(unpaid)) % values


def receipt(payment: ServicingPayment, installments: Sequence[Installment], today: date, *, requested_minor: int,
            payable_minor: int, balance_after_minor: int | None) -> str:
    """The whole message of one payment (``balance_after_minor`` None: collected by staff)."""
    parts = [taken(payment.amount_minor, balance_after_minor), split(payment)]
    if requested_minor > payment.amount_minor:
        parts.append(not_taken(requested_minor, payable_minor, borrower=balance_after_minor is not None))
    parts.append(remaining(installments, today))
    return " ".join(parts)
