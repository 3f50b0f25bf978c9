"""Small helpers the marketplace use cases share: settings, the locked loan row, notice context,
and (from the ledger) running a money-moving use case once per idempotency key."""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.errors import NotFound
from peerlend.ledger.idempotency import once_per_key
from peerlend.lending.models import Loan

__all__ = ["loan_amount", "loan_context", "locked_loan", "once_per_key", "rule", "users_with_amounts"]

T = TypeVar("T")


def rule(name: str) -> int:
    return int(settings.PEERLEND[name])


def locked_loan(loan_id: int) -> Loan:
    loan = Loan.objects.select_for_update().filter(pk=loan_id).first()
    if loan is None:
        raise NotFound(_("loan %(id)s does not exist") % {"id": loan_id})
    return loan


def users_with_amounts(amounts: dict[int, int]) -> list[tuple[User, int]]:
    users = User.objects.in_bulk(list(amounts))
    return [(users[pk], amounts[pk]) for pk in sorted(amounts)]


def loan_context(loan: Loan, **extra: Any) -> dict[str, Any]:
    """What a notice about ``loan`` names (rendered by servicing.notices in the member's language)."""
    return {"loan": loan.pk, "amount_minor": loan.amount_minor, **extra}


def loan_amount(loan_id: int) -> int:
    return int(Loan.objects.values_list("amount_minor", flat=True).get(pk=loan_id))
