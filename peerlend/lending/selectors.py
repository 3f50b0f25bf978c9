"""Read queries of the marketplace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.domain.lifecycle import LoanStatus
from peerlend.errors import ApplicationError, NotFound, PermissionDenied
from peerlend.lending.models import Loan, Note

SORTS = {
    "newest": "-listed_on",
    "rate_desc": "-annual_rate",
    "rate_asc": "annual_rate",
    "amount_desc": "-amount_minor",
    "amount_asc": "amount_minor",
    "term_asc": "term_months",
    "progress_desc": "-funded_minor",
}
GRADE_LETTERS = ("A", "B", "C", "D", "E")
# Pages of the marketplace a caller may ask for (the API's ?page=; the web's paginator stops at the last).
MAX_PAGE = 10_000
# A rate filter in percent: 0..100 with at most 4 decimals; no sign, exponent, NaN or Infinity.
_PERCENT = re.compile(r"\d{1,3}(\.\d{1,4})?", re.ASCII)
_TERM = re.compile(r"\d{1,2}", re.ASCII)


def listing_closed(loan: Loan, today: date) -> bool:
    """A listing whose funding window has passed: closed to investors, its notes awaiting refund.

    The status stays ``listed`` until the daily job (``run-day`` / ``expire-listings``) expires it
    and refunds; reads show it as closed meanwhile and never expire it themselves.
    """
    return loan.status == LoanStatus.LISTED and loan.list_expires_on is not None and today >= loan.list_expires_on


@dataclass(frozen=True)
class MarketFilter:
    grade: str = ""  # a letter ("B") or a sub-grade ("B3")
    term_months: int | None = None
    min_rate: Decimal | None = None
    max_rate: Decimal | None = None
    purpose: str = ""
    sort: str = "newest"

    @classmethod
    def from_query(cls, query: dict[str, str]) -> MarketFilter:
        """The filter of a query string; a number that is not finite and in range is a 400 ``invalid_filter``."""
        from peerlend.lending.services import MAX_TERM_MONTHS, MIN_TERM_MONTHS

        def rate(name: str) -> Decimal | None:
            raw = (query.get(name) or "").strip()
            if not raw:
                return None
            if not _PERCENT.fullmatch(raw) or Decimal(raw) > 100:
                raise ApplicationError(
                    _("%(field)s must be a percentage between 0 and 100, e.g. 8.5") % {"field": name},
                    code="invalid_filter", extra={"field": name},
                )
            return Decimal(raw) / 100  # the page asks for percent

        term = (query.get("term") or "").strip()
        if term and not (_TERM.fullmatch(term) and MIN_TERM_MONTHS <= int(term) <= MAX_TERM_MONTHS):
            raise ApplicationError(
                _("term must be a number of months between %(lo)d and %(hi)d")
                % {"lo": MIN_TERM_MONTHS, "hi": MAX_TERM_MONTHS},
                code="invalid_filter", extra={"field": "term"},
            )
        return cls(
            grade=(query.get("grade") or "").strip().upper()[:2],
            term_months=int(term) if term else None,
            min_rate=rate("min_rate"),
            max_rate=rate("max_rate"),
            purpose=(query.get("purpose") or "").strip(),
            sort=query.get("sort") if query.get("sort") in SORTS else "newest",  # type: ignore[arg-type]
        )


def marketplace(f: MarketFilter) -> QuerySet[Loan]:
    """Listed loans open for investment, filtered and sorted (ties broken by id for stable pages)."""
    qs = Loan.objects.filter(status=LoanStatus.LISTED)
    if f.grade:
        qs = qs.filter(grade__startswith=f.grade) if len(f.grade) == 1 else qs.filter(grade=f.grade)
    if f.term_months:
        qs = qs.filter(term_months=f.term_months)
    if f.min_rate is not None:
        qs = qs.filter(annual_rate__gte=f.min_rate)
    if f.max_rate is not None:
        qs = qs.filter(annual_rate__lte=f.max_rate)
    if f.purpose:
        qs = qs.filter(purpose=f.purpose)
    return qs.order_by(SORTS[f.sort], "-id")


def loan_for_viewer(loan_id: int, viewer: User | None) -> Loan:
    """A loan as a page may show it: listed/public ones to anyone, others to parties and staff only."""
    loan = Loan.objects.select_related("borrower", "agent", "service_point").filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(f"loan {loan_id} does not exist")
    if loan.status in (LoanStatus.LISTED, LoanStatus.FUNDED, LoanStatus.CURRENT, LoanStatus.LATE,
                       LoanStatus.FULLY_PAID, LoanStatus.PREPAID, LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF):
        return loan
    if viewer is not None and (is_party(loan, viewer) or is_staff_viewer(viewer)):
        return loan
    raise NotFound(f"loan {loan_id} does not exist")


def is_party(loan: Loan, user: User) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.pk in (loan.borrower_id, loan.agent_id)
        or Note.objects.filter(loan=loan, investor=user).exists()
    )


def is_staff_viewer(user: User) -> bool:
    return user.is_authenticated and any(
        user.has_role(r) for r in ("risk_officer", "operator", "compliance", "regulator", "admin", "collections")
    )


def require_party(loan: Loan, user: User) -> None:
    if not (is_party(loan, user) or is_staff_viewer(user)):
        raise PermissionDenied("only the parties to this loan may see this", code="not_party")


def loans_of_borrower(user: User) -> QuerySet[Loan]:
    return Loan.objects.filter(Q(borrower=user)).order_by("-id")


def loans_filed_by_agent(agent: User) -> QuerySet[Loan]:
    return Loan.objects.filter(agent=agent).select_related("borrower").order_by("-id")


def review_queue() -> QuerySet[Loan]:
    return (
        Loan.objects.filter(status=LoanStatus.UNDER_REVIEW)
        .select_related("borrower", "agent", "service_point", "first_approver")
        .prefetch_related("fraud_hits")
        .order_by("submitted_at", "id")
    )


def notes_of_investor(user: User) -> QuerySet[Note]:
    return Note.objects.filter(investor=user).select_related("loan").order_by("-id")


@dataclass(frozen=True)
class MarketSummary:
    listed_loans: int
    originated_loans: int
    originated_minor: int
    outstanding_minor: int


def market_summary() -> MarketSummary:
    """Headline figures for the home page (full disclosure statistics live in the disclosure context)."""
    from django.db.models import Count, Sum

    disbursed = Loan.objects.filter(disbursed_on__isnull=False).aggregate(
        n=Count("id"), volume=Sum("amount_minor"), outstanding=Sum("principal_outstanding_minor")
    )
    return MarketSummary(
        listed_loans=Loan.objects.filter(status=LoanStatus.LISTED).count(),
        originated_loans=disbursed["n"] or 0,
        originated_minor=disbursed["volume"] or 0,
        outstanding_minor=disbursed["outstanding"] or 0,
    )
