"""Small helpers the marketplace use cases share: settings, the locked loan row, notice context,
and running a money-moving use case once per idempotency key."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.errors import ApplicationError, NotFound
from peerlend.lending.models import Loan

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


def once_per_key(
    *,
    user: User,
    key: str | None,
    scope: str,
    payload: dict[str, Any],
    run: Callable[[], T],
    save: Callable[[T], dict[str, Any]],
    load: Callable[[dict[str, Any]], T],
) -> T:
    """Run a money-moving use case at most once per (user, key); a replay gives back the first result.

    The scope and payload name the action itself (never the channel), so the same key sent from a
    page and from the API is one action. ``save`` turns the result into what is stored with the key
    and ``load`` reads it back on a replay; a refusal is stored too and raised again, unchanged.
    Without a key the use case simply runs.
    """
    if key is None:
        return run()
    from peerlend.ledger.idempotency import run_idempotent

    status, body = run_idempotent(user=user, key=key, scope=scope, payload=payload,
                                  action=lambda: (200, save(run())))
    if status >= 400:
        extra = dict(body)
        detail = str(extra.pop("detail", ""))
        code = extra.pop("code", None)
        raise ApplicationError(detail, code=None if code is None else str(code), status=status, extra=extra)
    return load(body)
