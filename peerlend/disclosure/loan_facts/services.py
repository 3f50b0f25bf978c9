"""Use cases that add dated facts to a loan's disclosure; facts are appended, never changed.

An officer (risk officer or collections agent) records a change in repayment ability, litigation, an
administrative penalty or another material fact, audited with the new values. The borrower reports
how the money was used, on their own paid-out loan only. Each fact is dated with the business date and
shown to investors from ``visible_from`` (that date, or a later one an officer sets).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.accounts.services import require_role
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.disclosure.loan_facts.selectors import OFFICER_ROLES
from peerlend.disclosure.models_events import MAX_FACT_BODY, OFFICER_FACT_KINDS, FactKind, LoanFact
from peerlend.errors import ApplicationError, Conflict, NotFound
from peerlend.lending.models import Loan

# An officer may delay a fact's publication by at most this many days (e.g. until a court date).
MAX_DELAY_DAYS = 30


def _invalid(message: str, field_name: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_loan_fact", extra={"field": field_name})


def _paid_out_loan(loan_id: int) -> Loan:
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id}, code="loan_not_found")
    if loan.disbursed_on is None:
        raise Conflict(_("facts are recorded on loans that were paid out"), code="loan_not_disbursed")
    return loan


def _check_body(body: str) -> str:
    text = body.strip()
    if not text or len(text) > MAX_FACT_BODY:
        raise _invalid(_("write the fact, at most %(n)d characters") % {"n": MAX_FACT_BODY}, "body")
    return text


@transaction.atomic
def record_fact(*, actor: User, loan_id: int, kind: str, body: str, visible_from: date | None = None,
                values: dict[str, Any] | None = None) -> LoanFact:
    """An officer's dated fact about a paid-out loan (audited)."""
    require_role(actor, *OFFICER_ROLES)
    if kind not in OFFICER_FACT_KINDS:
        raise _invalid(_("choose the kind of fact"), "kind")
    text = _check_body(body)
    loan = _paid_out_loan(loan_id)
    today = business_date()
    shown_from = visible_from or today
    if not today <= shown_from <= today + timedelta(days=MAX_DELAY_DAYS):
        raise _invalid(_("the fact is shown from today or a day within the next %(n)d days")
                       % {"n": MAX_DELAY_DAYS}, "visible_from")
    fact = LoanFact.objects.create(loan=loan, kind=kind, body=text, values=values or {}, recorded_by=actor,
                                   recorded_at=today, visible_from=shown_from)
    record_audit(actor=actor, action="disclosure.loan_fact_recorded", target=fact,
                 new={"loan": loan.pk, "kind": kind, "body": text, "values": fact.values,
                      "recorded_at": today, "visible_from": shown_from})
    return fact


@transaction.atomic
def report_use_of_funds(*, borrower: User, loan_id: int, body: str) -> LoanFact:
    """The borrower says how the money of their own paid-out loan was used; shown from today."""
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None or loan.borrower_id != borrower.pk:
        # Someone else's loan: as if it did not exist for this member.
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id}, code="loan_not_found")
    text = _check_body(body)
    loan = _paid_out_loan(loan_id)
    today = business_date()
    return LoanFact.objects.create(loan=loan, kind=FactKind.USE_OF_FUNDS, body=text, recorded_by=borrower,
                                   recorded_at=today, visible_from=today)
