"""Money limits per member (Django side): which limits apply, what today has used, and the refusal.

The rules and the documented defaults live in ``peerlend.domain.limits``; the table is
``settings.PEERLEND["LIMITS"]``. A member's type is the kind of their verified identity (person or
company). The daily sums are the member's own rows of the platform's business day: deposit orders
pending or succeeded, withdrawals not failed. Other contexts pass their own sum (investments:
``peerlend.lending``); a promise to pay has no daily limit by default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from peerlend.domain.limits import DEFAULT_LIMITS, MEMBER_TYPES, Breach, Limit, check_limit, parse_limits
from peerlend.domain.money import format_grouped, format_minor
from peerlend.errors import ApplicationError
from peerlend.ledger.models import DepositOrder, PaymentStatus, Withdrawal, default_currency

ACTION_LABELS = {
    "deposit": pgettext_lazy("limit action", "deposit"),
    "withdrawal": pgettext_lazy("limit action", "withdrawal"),
    "investment": pgettext_lazy("limit action", "investment"),
    "promise": pgettext_lazy("limit action", "promise to pay"),
}


class LimitExceeded(ApplicationError):
    """An amount above a per-transaction or daily limit; the body carries the figures under ``limit``."""

    status = 400
    code = "limit_exceeded"


def member_type(user: Any) -> str:
    """``company`` for a member verified as a company, else ``person``."""
    identity = getattr(user, "identity", None)  # a member without KYC has none (RelatedObjectDoesNotExist)
    kind = str(getattr(identity, "kind", "person"))
    return kind if kind in MEMBER_TYPES else "person"


def limit_for(user: Any, action: str) -> Limit:
    table = parse_limits(settings.PEERLEND.get("LIMITS", DEFAULT_LIMITS))
    return table[member_type(user)][action]


def business_day() -> date:
    """The platform's business date (the day the daily limits sum over)."""
    from peerlend.clock import business_date

    return business_date()


def deposits_used(user_id: int, day: date) -> int:
    """Deposit orders of the member made that business day and not failed (a pending order counts)."""
    total = DepositOrder.objects.filter(
        user_id=user_id, business_date=day, status__in=[PaymentStatus.PENDING, PaymentStatus.SUCCEEDED],
    ).aggregate(total=Sum("amount_minor"))["total"]
    return int(total or 0)


def withdrawals_used(user_id: int, day: date) -> int:
    """Withdrawals of the member requested that business day and not failed."""
    total = Withdrawal.objects.filter(user_id=user_id, business_date=day).exclude(
        status=PaymentStatus.FAILED).aggregate(total=Sum("amount_minor"))["total"]
    return int(total or 0)


_USED = {"deposit": deposits_used, "withdrawal": withdrawals_used}


@dataclass(frozen=True)
class Headroom:
    """What a member may still move today, for forms and API answers."""

    action: str
    per_transaction_minor: int
    per_day_minor: int | None
    used_today_minor: int
    remaining_today_minor: int | None
    allowed_now_minor: int

    def as_dict(self, currency: str) -> dict[str, Any]:
        def fmt(minor: int | None) -> str | None:
            return None if minor is None else format_minor(minor, currency)

        return {
            "action": self.action, "currency": currency,
            "per_transaction": fmt(self.per_transaction_minor), "per_day": fmt(self.per_day_minor),
            "used_today": fmt(self.used_today_minor), "remaining_today": fmt(self.remaining_today_minor),
            "allowed_now": fmt(self.allowed_now_minor),
        }


def headroom(user: Any, action: str, *, used_today_minor: int | None = None, day: date | None = None) -> Headroom:
    limit = limit_for(user, action)
    used = used_today_minor if used_today_minor is not None else _USED[action](user.pk, day or business_day())
    return Headroom(action, limit.per_transaction_minor, limit.per_day_minor, used, limit.remaining_today(used),
                    limit.allowed_now(used))


def lock_member(user: Any) -> None:
    """Serialise one member's limited requests (the daily sum is read, then added to): lock their user row.

    SQLite serialises writers anyway; PostgreSQL takes the row lock until commit. Nothing locks accounts
    before the user row, so this cannot deadlock with postings.
    """
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def enforce(user: Any, action: str, amount_minor: int, *, used_today_minor: int | None = None,
            day: date | None = None) -> None:
    """Raise :class:`LimitExceeded` unless ``amount_minor`` fits the member's limits for ``action`` today.

    Deposits and withdrawals sum today's rows themselves; other actions pass ``used_today_minor``. Call it
    inside the transaction that writes the row, after :func:`lock_member`, so that two requests cannot both
    fit what remains.
    """
    limit = limit_for(user, action)
    if used_today_minor is None:
        used_today_minor = _USED[action](user.pk, day or business_day()) if limit.per_day_minor is not None else 0
    breach = check_limit(limit, amount_minor, used_today_minor)
    if breach is not None:
        raise refusal(action, breach)


def refusal(action: str, breach: Breach, currency: str | None = None) -> LimitExceeded:
    currency = currency or default_currency()
    figures = {
        "action": ACTION_LABELS.get(action, action), "currency": currency,
        "amount": format_grouped(breach.requested_minor, currency),
        "limit": format_grouped(breach.limit_minor, currency),
        "used": format_grouped(breach.used_minor, currency),
        "remaining": format_grouped(breach.remaining_minor, currency),
    }
    if breach.period == "transaction":
        message = _("The %(action)s of %(amount)s %(currency)s is above the limit of %(limit)s %(currency)s per "
                    "transaction.") % figures
    else:
        message = _("The %(action)s of %(amount)s %(currency)s is above what remains of today's limit: "
                    "%(limit)s %(currency)s a day, %(used)s %(currency)s already used today, %(remaining)s "
                    "%(currency)s remaining.") % figures
    return LimitExceeded(message, extra={"limit": {
        "action": action, "period": breach.period, "currency": currency,
        "limit": format_minor(breach.limit_minor, currency),
        "used_today": format_minor(breach.used_minor, currency),
        "remaining": format_minor(breach.remaining_minor, currency),
        "requested": format_minor(breach.requested_minor, currency),
    }})
