"""Read queries of the investing context."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Sum

from peerlend.accounts.models import User
from peerlend.investing.models import DisclosureAcknowledgement, SuitabilityAssessment
from peerlend.investing.questionnaire import allowed_letters

DISCLOSURE_VERSION = "2026-1"


def latest_assessment(investor: User) -> SuitabilityAssessment | None:
    """The investor's newest questionnaire result (expired or not)."""
    return (SuitabilityAssessment.objects.filter(investor=investor)
            .order_by("-assessed_on", "-id").first())


def valid_assessment(investor: User, today: date) -> SuitabilityAssessment | None:
    found = latest_assessment(investor)
    return found if found is not None and found.expires_on > today else None


def has_acknowledged(investor: User, version: str = DISCLOSURE_VERSION) -> bool:
    return DisclosureAcknowledgement.objects.filter(investor=investor, version=version).exists()


@dataclass(frozen=True)
class Suitability:
    """What an investor page shows: the result in force (if any), and whether the disclosure is read."""

    assessment: SuitabilityAssessment | None
    expired: bool
    acknowledged: bool

    @property
    def letters(self) -> tuple[str, ...]:
        return allowed_letters(self.assessment.level) if self.assessment and not self.expired else ()


def suitability_of(investor: User, today: date) -> Suitability:
    found = latest_assessment(investor)
    return Suitability(found, bool(found and found.expires_on <= today), has_acknowledged(investor))


@dataclass(frozen=True)
class OverdueFigures:
    """The platform's overdue book, for the public home page."""

    late_loans: int
    late_principal_minor: int
    outstanding_minor: int
    overdue_installments_minor: int
    charged_off_loans: int

    @property
    def late_share_pct(self) -> str:
        """Principal of late and defaulted loans as a share of all outstanding principal, in per cent."""
        if not self.outstanding_minor:
            return "0.00"
        return f"{self.late_principal_minor * 100 / self.outstanding_minor:.2f}"


def platform_overdue() -> OverdueFigures:
    from peerlend.domain.lifecycle import LoanStatus
    from peerlend.lending.models import Loan
    from peerlend.servicing.models import Installment, InstallmentStatus

    running = (LoanStatus.CURRENT, LoanStatus.LATE, LoanStatus.DEFAULTED)
    book = Loan.objects.filter(status__in=running).aggregate(s=Sum("principal_outstanding_minor"))
    late = Loan.objects.filter(status__in=(LoanStatus.LATE, LoanStatus.DEFAULTED)).aggregate(
        n=Count("id"), s=Sum("principal_outstanding_minor"))
    from peerlend.clock import business_date

    # Owed and past due: principal, interest, late fees and penalty not yet paid (Installment.due_minor).
    unpaid = (F("principal_minor") - F("principal_paid_minor") + F("interest_minor") - F("interest_paid_minor")
              + F("late_fee_minor") - F("late_fee_paid_minor") + F("penalty_minor") - F("penalty_paid_minor"))
    overdue_minor = Installment.objects.filter(
        loan__status__in=running, due_date__lt=business_date(),
        status__in=(InstallmentStatus.SCHEDULED, InstallmentStatus.PARTIAL, InstallmentStatus.OVERDUE),
    ).aggregate(s=Sum(unpaid))["s"] or 0
    return OverdueFigures(
        late_loans=late["n"] or 0, late_principal_minor=late["s"] or 0, outstanding_minor=book["s"] or 0,
        overdue_installments_minor=overdue_minor,
        charged_off_loans=Loan.objects.filter(status=LoanStatus.CHARGED_OFF).count(),
    )
