"""What investors are told about one loan, before and after funding (reads only).

``loan_disclosure(loan, viewer, known_at)`` gathers the masked borrower basics, the credit summary and
risk assessment, what happens on default, and for a paid-out loan its repayment status, overdue history
on this platform and the dated facts. With ``known_at`` (a date, or the viewer's investment date) the
facts and the overdue history are those known on that day: what the investor saw when they invested.
Never a name, resident ID, mobile or card number: only bands and the province.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Min
from django.db.models.functions import Coalesce, TruncDate

from peerlend.clock import business_date
from peerlend.disclosure.events.about import DefaultRules, default_rules
from peerlend.disclosure.loan_facts import bands
from peerlend.disclosure.models_events import LoanFact
from peerlend.lending.models import Loan, Note
from peerlend.servicing.models import Installment

# Roles that record dated facts about a loan (risk review and collections follow loans up).
OFFICER_ROLES = ("risk_officer", "collections")


@dataclass(frozen=True)
class BorrowerBasics:
    kind: str  # "person" or "company"
    age_band: str
    province: str
    income_band: str
    income_verified: bool
    employment_band: str
    housing: str


@dataclass(frozen=True)
class OverdueRow:
    number: int
    due_date: date
    days_late: int
    paid_on: date | None


@dataclass(frozen=True)
class RepaymentStatus:
    installments: int
    paid: int
    next_due: date | None
    principal_outstanding_minor: int
    days_past_due: int


@dataclass(frozen=True)
class LoanDisclosure:
    loan: Loan
    as_of: date
    known_at: date | None  # set when the view is "what was known then"
    basics: BorrowerBasics
    grade: str
    score_band: str
    pd: Decimal | None
    default_rules: DefaultRules
    outstanding: bool
    repayment: RepaymentStatus | None = None
    overdue_history: list[OverdueRow] = field(default_factory=list)
    facts: list[LoanFact] = field(default_factory=list)


def _basics(loan: Loan, today: date) -> BorrowerBasics:
    identity = getattr(loan.borrower, "identity", None)
    kind = identity.kind if identity is not None else loan.borrower_type
    age = ""
    if identity is not None and identity.kind == "person":
        # Decrypted only to compute the band; the value itself never leaves this function.
        age = bands.age_band(identity.decrypted()["resident_id"], today)
    place = bands.province(identity.resident_id_masked) if identity is not None else ""
    return BorrowerBasics(kind=kind, age_band=age, province=place,
                          income_band=bands.income_band(loan.annual_income_minor),
                          income_verified=loan.income_verified,
                          employment_band=bands.employment_band(loan.employment_years),
                          housing=loan.get_housing_display())


def investment_date(loan: Loan, investor: Any) -> date | None:
    """The day ``investor`` first put money into ``loan`` (None when they hold no note in it)."""
    if investor is None or not getattr(investor, "is_authenticated", False):
        return None
    first = Note.objects.filter(loan=loan, investor=investor).aggregate(
        day=Min(Coalesce("placed_on", TruncDate("created_at"))))["day"]
    return first if isinstance(first, date) else None


def _overdue_history(installments: list[Installment], as_of: date) -> list[OverdueRow]:
    rows = []
    for i in installments:
        if i.due_date >= as_of:
            continue
        paid_on = i.paid_on if i.paid_on is not None and i.paid_on <= as_of else None
        end = paid_on or as_of
        if end > i.due_date:
            rows.append(OverdueRow(i.number, i.due_date, (end - i.due_date).days, paid_on))
    return rows


def _repayment(loan: Loan, installments: list[Installment], as_of: date) -> RepaymentStatus:
    paid = [i for i in installments if i.paid_on is not None and i.paid_on <= as_of]
    unpaid = [i for i in installments if i not in paid]
    oldest_due = min((i.due_date for i in unpaid if i.due_date < as_of), default=None)
    return RepaymentStatus(
        installments=len(installments), paid=len(paid),
        next_due=min((i.due_date for i in unpaid if i.due_date >= as_of), default=None),
        principal_outstanding_minor=loan.principal_outstanding_minor,
        days_past_due=(as_of - oldest_due).days if oldest_due else 0)


def visible_facts(loan: Loan, as_of: date) -> list[LoanFact]:
    return list(LoanFact.objects.filter(loan=loan, visible_from__lte=as_of).order_by("-visible_from", "-id"))


def loan_disclosure(loan: Loan, viewer: Any = None, *, known_at: date | str | None = None) -> LoanDisclosure:
    """The disclosure of ``loan``; ``known_at="investment"`` uses the viewer's own investment date."""
    today = business_date()
    when = investment_date(loan, viewer) if known_at == "investment" else known_at
    as_of = min(when, today) if isinstance(when, date) else today
    outstanding = loan.disbursed_on is not None and loan.disbursed_on <= as_of
    installments = list(Installment.objects.filter(loan=loan).order_by("number")) if outstanding else []
    return LoanDisclosure(
        loan=loan, as_of=as_of, known_at=as_of if isinstance(when, date) else None,
        basics=_basics(loan, today), grade=loan.grade, score_band=bands.score_band(loan.credit_score), pd=loan.pd,
        default_rules=default_rules(), outstanding=outstanding,
        repayment=_repayment(loan, installments, as_of) if outstanding else None,
        overdue_history=_overdue_history(installments, as_of), facts=visible_facts(loan, as_of))


def can_record_facts(user: Any) -> bool:
    return bool(user.is_authenticated and any(user.has_role(r) for r in OFFICER_ROLES))
