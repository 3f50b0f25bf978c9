"""Behaviour segments and agents' tags: each one query, member ids in ascending order."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Exists, F, Max, OuterRef

from peerlend.accounts.models import Role, User
from peerlend.lending.models import Loan, LoanStatus, Note
from peerlend.marketing.models_staff import MemberTag
from peerlend.servicing.models import Installment

PAID_OFF = (LoanStatus.FULLY_PAID, LoanStatus.PREPAID)
IN_TROUBLE = (LoanStatus.LATE, LoanStatus.DEFAULTED, LoanStatus.CHARGED_OFF)


def never_invested() -> list[int]:
    """Active investors who registered and never bought a note (roles is a JSON list: matched as its text)."""
    return list(User.objects.filter(roles__icontains=f'"{Role.INVESTOR.value}"', is_active=True)
                .exclude(Exists(Note.objects.filter(investor=OuterRef("pk")))).order_by("pk")
                .values_list("pk", flat=True))


def lapsed_investors(today: date, days: int) -> list[int]:
    """Investors whose last note was placed more than ``days`` days before ``today``."""
    cutoff = today - timedelta(days=days)
    return list(Note.objects.exclude(placed_on=None).values("investor_id").annotate(last=Max("placed_on"))
                .filter(last__lt=cutoff).order_by("investor_id").values_list("investor_id", flat=True))


def borrowers_paid_off() -> list[int]:
    """Borrowers with a loan paid off, no loan late or worse, and no installment ever paid after its due date."""
    mine = OuterRef("pk")
    return list(User.objects.filter(is_active=True)
                .filter(Exists(Loan.objects.filter(borrower_id=mine, status__in=PAID_OFF)))
                .exclude(Exists(Loan.objects.filter(borrower_id=mine, status__in=IN_TROUBLE)))
                .exclude(Exists(Installment.objects.filter(loan__borrower_id=mine, paid_on__gt=F("due_date"))))
                .order_by("pk").values_list("pk", flat=True))


def tagged(tag: str) -> list[int]:
    return list(MemberTag.objects.filter(tag=tag).order_by("member_id").values_list("member_id", flat=True)
                .distinct())
