"""Behaviour segments and agents' tags: each one query, member ids in ascending order.

Each segment is a queryset of member ids (``*_ids``), listed by the function of the same name; a
campaign run on PostgreSQL uses the queryset's SQL as a subquery (``segments/members.py``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, F, Max, OuterRef, QuerySet

from peerlend.accounts.models import Role, User
from peerlend.lending.models import Loan, LoanStatus, Note
from peerlend.marketing.models_staff import MemberTag
from peerlend.servicing.models import Installment

PAID_OFF = (LoanStatus.FULLY_PAID, LoanStatus.PREPAID)
IN_TROUBLE = (LoanStatus.LATE, LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF)


def never_invested_ids() -> QuerySet[User, int]:
    """Active investors who registered and never bought a note (roles is a JSON list: matched as its text)."""
    return (User.objects.filter(roles__icontains=f'"{Role.INVESTOR.value}"', is_active=True)
            .exclude(Exists(Note.objects.filter(investor=OuterRef("pk")))).order_by("pk")
            .values_list("pk", flat=True))


def never_invested() -> list[int]:
    return list(never_invested_ids())


def lapsed_investors_ids(today: date, days: int) -> QuerySet[Note, int]:
    """Investors whose last note was placed more than ``days`` days before ``today``."""
    cutoff = today - timedelta(days=days)
    return (Note.objects.exclude(placed_on=None).values("investor_id").annotate(last=Max("placed_on"))
            .filter(last__lt=cutoff).order_by("investor_id").values_list("investor_id", flat=True))


def lapsed_investors(today: date, days: int) -> list[int]:
    return list(lapsed_investors_ids(today, days))


def borrowers_paid_off_ids() -> QuerySet[User, int]:
    """Borrowers with a loan paid off, no loan late or worse, and no installment ever paid after its due date."""
    mine = OuterRef("pk")
    return (User.objects.filter(is_active=True)
            .filter(Exists(Loan.objects.filter(borrower_id=mine, status__in=PAID_OFF)))
            .exclude(Exists(Loan.objects.filter(borrower_id=mine, status__in=IN_TROUBLE)))
            .exclude(Exists(Installment.objects.filter(loan__borrower_id=mine, paid_on__gt=F("due_date"))))
            .order_by("pk").values_list("pk", flat=True))


def borrowers_paid_off() -> list[int]:
    return list(borrowers_paid_off_ids())


def tagged_ids(tag: str) -> QuerySet[MemberTag, int]:
    return MemberTag.objects.filter(tag=tag).order_by("member_id").values_list("member_id", flat=True).distinct()


def tagged(tag: str) -> list[int]:
    return list(tagged_ids(tag))
