"""Prepayment of a serviced loan: the quote, full and partial prepayment, re-amortisation.

The arithmetic (quote, principal a partial amount buys, re-amortisation) is the pure core's
``domain.prepayment``; this module locks, checks, rewrites the schedule rows and posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.clock import business_date
from peerlend.domain import prepayment as core
from peerlend.domain.money import format_minor
from peerlend.domain.repayment import Applied
from peerlend.errors import ApplicationError, Conflict, NotFound, PermissionDenied
from peerlend.lending.models import Loan
from peerlend.servicing import receipts
from peerlend.servicing.installments import unpaid_principal
from peerlend.servicing.loan_status import SERVICED, settle_status
from peerlend.servicing.models import (
    Installment,
    InstallmentStatus,
    PaymentKind,
)
from peerlend.servicing.posting import Accounts, collect_from_borrower, save_changes
from peerlend.servicing.repayments import (
    RepaymentResult,
    load_book,
    locked_servicable,
    once_per_payment_key,
    require_positive,
)
from peerlend.servicing.rules import servicing_rules

# ---------------------------------------------------------------- prepayment


@dataclass
class PrepaymentQuote:
    due_now_minor: int  # everything due up to today (overdue included)
    principal_minor: int  # principal not yet due
    accrued_interest_minor: int  # interest to the day on it, actual/365
    penalty_minor: int  # prepayment penalty (0 by default)
    anchor: date | None  # start of the current period
    current: Installment | None  # the installment of the current period

    @property
    def total_minor(self) -> int:
        return self.due_now_minor + self.principal_minor + self.accrued_interest_minor + self.penalty_minor

    def as_dict(self) -> dict[str, str]:
        return {
            "due_now": format_minor(self.due_now_minor), "principal": format_minor(self.principal_minor),
            "accrued_interest": format_minor(self.accrued_interest_minor),
            "prepayment_penalty": format_minor(self.penalty_minor), "total": format_minor(self.total_minor),
        }


def prepayment_quote(loan: Loan, installments: Sequence[Installment], today: date) -> PrepaymentQuote:
    q = core.quote(
        [core.QuotedInstallment(i.number, i.due_date, i.due_minor, unpaid_principal(i), i.interest_paid_minor)
         for i in installments],
        loan.annual_rate, loan.disbursed_on, today, servicing_rules().prepayment_penalty_rate,
    )
    current = installments[q.current] if q.current is not None else None
    return PrepaymentQuote(q.due_now, q.principal, q.accrued_interest, q.penalty, q.anchor, current)


def quote_for(actor: User, loan_id: int, today: date | None = None) -> PrepaymentQuote:
    today = today or business_date()
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    if loan.borrower_id != actor.pk:
        raise PermissionDenied(_("this loan is not yours"), code="not_owner")
    return prepayment_quote(loan, list(Installment.objects.filter(loan=loan).order_by("number")), today)


def prepay(*, actor: User, loan_id: int, amount_minor: int | None = None,
           today: date | None = None, idempotency_key: str | None = None) -> RepaymentResult:
    """Prepay in full (``amount_minor=None``) or in part (shortens the term).

    Full: everything due, the remaining principal, interest to the day (actual/365) and the
    prepayment penalty (default 0); later installments are removed and the loan is ``prepaid``.
    Partial: what is due first, then the rest buys principal plus its interest to the day; the
    remaining installments are rebuilt on the lower balance with the same payment (fewer months).
    With an ``idempotency_key`` a second call (a double submit, a retry, the same key from the
    page and the API) returns the first call's result, or its refusal, and takes nothing again.
    """
    return once_per_payment_key(actor, idempotency_key, "prepay", loan_id, amount_minor,
                                lambda: _prepay(actor, loan_id, amount_minor, today))


def _prepay(actor: User, loan_id: int, amount_minor: int | None, today: date | None) -> RepaymentResult:
    """The prepayment itself (see :func:`prepay`)."""
    today = today or business_date()
    if amount_minor is not None:
        require_positive(amount_minor)
    with transaction.atomic():
        loan = locked_servicable(actor, loan_id)
        if loan.borrower_id != actor.pk:
            raise PermissionDenied(_("only the borrower can prepay"), code="not_owner")
        if loan.status not in SERVICED:
            raise Conflict(_("a loan that is %(status)s cannot be prepaid") % {"status": loan.get_status_display()},
                           code="not_prepayable")
        installments, notes = load_book(loan)
        quote = prepayment_quote(loan, installments, today)
        accounts = Accounts([loan.borrower_id, *(n.investor_id for n in notes)])
        available = accounts.available(loan.borrower_id).balance_minor
        if quote.total_minor == 0:
            raise Conflict(_("nothing is owed on this loan now"), code="nothing_due")
        full = amount_minor is None or amount_minor >= quote.total_minor
        requested = quote.total_minor if amount_minor is None else amount_minor
        if amount_minor is not None and amount_minor <= quote.due_now_minor:
            raise ApplicationError(
                _("%(amount)s CNY is due now; a prepayment must be more than that (or use a regular repayment)")
                % {"amount": receipts.cny(quote.due_now_minor)}, code="prepayment_too_small")
        cost = quote.total_minor if full else requested
        if available < cost:
            raise receipts.insufficient(available, cost)
        if amount_minor is not None and amount_minor > available:
            raise receipts.over_balance(amount_minor, available)
        due = [i for i in installments if i.due_date <= today and i.due_minor > 0]
        cur = quote.current
        later: list[Installment] = []
        px = 0
        preapplied = None
        if cur is None:  # nothing left beyond today: a prepayment is just paying what is due
            full = True
        elif not full:
            if cur.principal_paid_minor or cur.interest_paid_minor:
                # Its paid part cannot be told apart from an earlier prepayment's interest booked on it, so
                # rebuilding it would charge or credit that interest twice.
                raise Conflict(
                    _("The installment due on %(date)s is partly paid (%(owed)s CNY still owed on it), so part of "
                      "the loan cannot be prepaid now: prepay in full, or prepay part once that installment is "
                      "paid. Nothing was taken.")
                    % {"date": cur.due_date.isoformat(), "owed": receipts.cny(cur.due_minor)},
                    code="installment_partly_paid")
            rest = requested - quote.due_now_minor
            px = _principal_buyable(rest, quote, loan, today)
            if px <= 0:
                raise ApplicationError(_("the amount is too small to prepay any principal"),
                                       code="prepayment_too_small")
            interest_now = _prepay_interest(px, quote, loan, today)
            cost = quote.due_now_minor + px + interest_now
            preapplied = Applied(principal_to_notes=px, interest_to_notes=interest_now)
        # Rewrite the current installment so that it holds what is prepaid now (principal sums stay exact).
        if cur is not None:
            extra_interest = quote.accrued_interest_minor + quote.penalty_minor
            if full:
                cur.principal_minor = cur.principal_paid_minor + quote.principal_minor
                cur.interest_minor = cur.interest_paid_minor + extra_interest
                cur.due_date = today
                targets = [*due, cur]
            else:
                later = _rebuild(loan, installments, cur, px, quote, today)
                # The prepaid principal and its interest are booked on the current installment now;
                # its scheduled part stays due on its date.
                cur.principal_paid_minor += px
                cur.interest_paid_minor += preapplied.total - px if preapplied else 0
                cur.status = InstallmentStatus.PARTIAL
                targets = due
            Installment.objects.filter(loan=loan, number__gt=cur.number).delete()
            installments = [i for i in installments if i.number <= cur.number] + later
            Installment.objects.filter(pk=cur.pk).update(
                principal_minor=cur.principal_minor, interest_minor=cur.interest_minor, due_date=cur.due_date,
            )
        else:
            targets = due
        kind = PaymentKind.PREPAYMENT if full else PaymentKind.PARTIAL_PREPAYMENT
        payment = collect_from_borrower(loan, targets, notes, cost, today, accounts, kind=kind, actor=actor,
                                        preapplied=preapplied)
        assert payment is not None
        if later:
            Installment.objects.bulk_create(later)
        settle_status(loan, installments, notes, today, prepaid=full)
        save_changes([i for i in installments if i.pk], notes, [payment])
        excess = requested - cost if amount_minor is not None else 0
        # The part of the amount a prepayment could use: all of it when the loan closes, else the cost.
        message = receipts.receipt(payment, installments, today, requested_minor=requested, payable_minor=cost,
                                   balance_after_minor=available - cost)
        return RepaymentResult(
            loan_id=loan.pk, requested_minor=requested, paid_minor=cost, excess_minor=excess,
            loan_status=loan.status, still_owed_minor=sum(i.due_minor for i in installments),
            payment_id=payment.pk, message=message,
            breakdown={"principal": payment.principal_to_notes_minor, "interest": payment.interest_to_notes_minor,
                       "late_fee": payment.late_fee_minor, "to_reserve": payment.to_reserve_minor},
        )


def _prepay_interest(px: int, quote: PrepaymentQuote, loan: Loan, today: date) -> int:
    assert quote.anchor is not None and loan.annual_rate is not None
    return core.prepaid_interest_minor(px, loan.annual_rate, quote.anchor, today,
                                       servicing_rules().prepayment_penalty_rate)


def _principal_buyable(rest: int, quote: PrepaymentQuote, loan: Loan, today: date) -> int:
    """Largest principal whose price (principal + its interest to the day + penalty) fits in ``rest``."""
    assert quote.anchor is not None and loan.annual_rate is not None
    return core.principal_buyable(rest, quote.principal_minor, loan.annual_rate, quote.anchor, today,
                                  servicing_rules().prepayment_penalty_rate)


def _rebuild(loan: Loan, installments: Sequence[Installment], cur: Installment, px: int,
             quote: PrepaymentQuote, today: date) -> list[Installment]:
    """Shorten the term (``domain.prepayment.reamortise``): the current installment takes the first new one."""
    assert loan.annual_rate is not None and quote.anchor is not None and loan.disbursed_on is not None
    fresh = core.reamortise(
        method=loan.repayment_method, annual_rate=loan.annual_rate,
        # Unpaid principal: its sum is the quote's principal not yet due, which is what the rebuild spreads.
        remaining=[core.Scheduled(i.due_date, unpaid_principal(i), i.interest_minor)
                   for i in installments if i.number >= cur.number],
        prepaid_principal=px, anchor=quote.anchor, term_months=loan.term_months, disbursed_on=loan.disbursed_on,
    )
    first = fresh[0]
    interest_now = _prepay_interest(px, quote, loan, today)
    cur.principal_minor = px + first.principal
    cur.interest_minor = interest_now + first.interest
    cur.due_date = first.due_date
    return [
        Installment(loan=loan, number=cur.number + k, due_date=s.due_date, principal_minor=s.principal,
                    interest_minor=s.interest)
        for k, s in enumerate(fresh[1:], start=1)
    ]
