"""Anti-fraud rules that run before the credit model.

Each rule looks at one application and returns hits; a blocking hit rejects the
application before scoring, a non-blocking one is shown to the risk officer. Every hit is
stored with its reason (``FraudHit``) so a decision can always be explained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from peerlend.domain.lifecycle import LoanStatus
from peerlend.lending.models import Blacklist, Loan


@dataclass(frozen=True)
class Hit:
    rule: str
    reason: str
    blocking: bool = True


Rule = Callable[[Loan, date], list[Hit]]

_OPEN_STATUSES = (
    LoanStatus.SUBMITTED,
    LoanStatus.UNDER_REVIEW,
    LoanStatus.DOCUMENTS_REQUESTED,
    LoanStatus.APPROVED,
    LoanStatus.LISTED,
)
MIN_AGE_YEARS = 18
MAX_AGE_YEARS = 65


def _identity(loan: Loan):  # type: ignore[no-untyped-def]
    from peerlend.accounts.selectors import identity_of

    return identity_of(loan.borrower)


def duplicate_identity(loan: Loan, today: date) -> list[Hit]:
    """The same person may not have two applications in flight, nor share contact data with another member."""
    hits: list[Hit] = []
    others = Loan.objects.filter(borrower=loan.borrower, status__in=_OPEN_STATUSES).exclude(pk=loan.pk)
    if others.exists():
        hits.append(Hit("duplicate_application", "the applicant already has an application or listing in progress"))
    from peerlend.accounts.selectors import members_sharing_contact

    shared = members_sharing_contact(loan.borrower)
    if shared:
        hits.append(
            Hit(
                "duplicate_identity",
                f"the applicant's mobile number or bank card is also registered to {len(shared)} other member(s)",
            )
        )
    return hits


def application_velocity(loan: Loan, today: date) -> list[Hit]:
    limit = settings.PEERLEND["APPLICATION_VELOCITY_MAX"]
    days = settings.PEERLEND["APPLICATION_VELOCITY_DAYS"]
    since = today - timedelta(days=days)
    count = (
        Loan.objects.filter(borrower=loan.borrower, submitted_on__gte=since)
        .exclude(pk=loan.pk)
        .count()
    )
    if count >= limit:
        return [Hit("velocity", f"{count + 1} applications within {days} days (at most {limit} allowed)")]
    return []


def contradicts_kyc(loan: Loan, today: date) -> list[Hit]:
    identity = _identity(loan)
    if identity is None:
        return [Hit("no_kyc", "the applicant has no verified identity")]
    from peerlend.domain.validators import resident_id_birth_date

    birth = resident_id_birth_date(identity.decrypted()["resident_id"])
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    hits: list[Hit] = []
    if age < MIN_AGE_YEARS:
        hits.append(
            Hit("underage", f"the verified identity shows age {age}; borrowers must be {MIN_AGE_YEARS} or older")
        )
    elif age > MAX_AGE_YEARS:
        hits.append(Hit("age_policy", f"the verified identity shows age {age}; the limit is {MAX_AGE_YEARS}"))
    if loan.employment_years is not None and loan.employment_years > max(age - 16, 0) and loan.employment_years < 10:
        hits.append(
            Hit(
                "employment_vs_age",
                f"{loan.employment_years} years of employment contradict age {age}",
                blocking=False,
            )
        )
    return hits


def blacklisted_identity(loan: Loan, today: date) -> list[Hit]:
    identity = _identity(loan)
    if identity is not None and Blacklist.objects.filter(id_index=identity.resident_id_index).exists():
        return [Hit("blacklist", "the applicant's identity is on the platform's blacklist")]
    return []


RULES: tuple[Rule, ...] = (contradicts_kyc, blacklisted_identity, duplicate_identity, application_velocity)


def run_rules(loan: Loan, today: date) -> list[Hit]:
    hits: list[Hit] = []
    for rule in RULES:
        hits.extend(rule(loan, today))
    return hits
