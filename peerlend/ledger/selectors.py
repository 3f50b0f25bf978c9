"""Read queries of the ledger context."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet, Sum

from peerlend.ledger.models import (
    AccountKind,
    DepositOrder,
    GatewayCallbackLog,
    JournalEntry,
    LedgerAccount,
    PaymentStatus,
    Posting,
    ReconciliationItem,
    Withdrawal,
    default_currency,
)


@dataclass(frozen=True)
class Balances:
    available_minor: int
    frozen_minor: int
    currency: str = "CNY"

    @property
    def total_minor(self) -> int:
        return self.available_minor + self.frozen_minor


def balances(user: Any) -> Balances:
    return balances_many([user])[user.pk]


def balances_many(users: Sequence[Any]) -> dict[int, Balances]:
    """:func:`balances` of many users at once (one query), by user id."""
    rows: dict[int, dict[str, int]] = {u.pk: {} for u in users}
    for owner_id, kind, balance in LedgerAccount.objects.filter(
        owner_id__in=list(rows), kind__in=[AccountKind.AVAILABLE, AccountKind.FROZEN]
    ).values_list("owner_id", "kind", "balance_minor"):
        rows[owner_id][kind] = balance
    currency = default_currency()
    return {
        pk: Balances(available_minor=int(r.get(AccountKind.AVAILABLE, 0)),
                     frozen_minor=int(r.get(AccountKind.FROZEN, 0)), currency=currency)
        for pk, r in rows.items()
    }


@dataclass(frozen=True)
class EntryLine:
    """One journal entry as a user sees it: the net change on their available and frozen accounts."""

    entry_id: int
    kind: str
    memo: str
    reference: str
    created_at: datetime
    available_change_minor: int
    frozen_change_minor: int


def recent_entries(user: Any, limit: int = 20) -> list[EntryLine]:
    postings = (
        Posting.objects.filter(account__owner=user)
        .select_related("entry", "account")
        .order_by("-entry_id", "account_id")
    )
    lines: dict[int, dict[str, Any]] = {}
    for posting in postings[: limit * 2]:
        entry = posting.entry
        line = lines.setdefault(
            entry.pk,
            {"entry": entry, AccountKind.AVAILABLE: 0, AccountKind.FROZEN: 0},
        )
        line[posting.account.kind] += posting.amount_minor
    result = [
        EntryLine(
            entry_id=pk,
            kind=line["entry"].kind,
            memo=line["entry"].memo,
            reference=line["entry"].reference,
            created_at=line["entry"].created_at,
            available_change_minor=line[AccountKind.AVAILABLE],
            frozen_change_minor=line[AccountKind.FROZEN],
        )
        for pk, line in lines.items()
    ]
    return sorted(result, key=lambda e: e.entry_id, reverse=True)[:limit]


def platform_balances() -> list[tuple[LedgerAccount, int]]:
    """Platform accounts with their display balance (sign flipped for debit-normal accounts)."""
    accounts = LedgerAccount.objects.filter(kind=AccountKind.PLATFORM).order_by("code")
    return [(a, a.display_balance_minor) for a in accounts]


def entries_by_reference(reference: str) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(reference=reference).prefetch_related("postings__account").order_by("pk")


def account_postings_sum(account: LedgerAccount) -> int:
    return int(Posting.objects.filter(account=account).aggregate(total=Sum("amount_minor"))["total"] or 0)


def pending_withdrawals() -> QuerySet[Withdrawal]:
    return Withdrawal.objects.filter(status=PaymentStatus.PENDING).select_related("user").order_by("pk")


def user_deposit_orders(user: Any, limit: int = 10) -> QuerySet[DepositOrder]:
    return DepositOrder.objects.filter(user=user).order_by("-pk")[:limit]


def user_withdrawals(user: Any, limit: int = 10) -> QuerySet[Withdrawal]:
    return Withdrawal.objects.filter(user=user).order_by("-pk")[:limit]


def open_reconciliation_items() -> QuerySet[ReconciliationItem]:
    return ReconciliationItem.objects.filter(status=ReconciliationItem.Status.OPEN).order_by("date", "pk")


def callback_log(limit: int = 50) -> QuerySet[GatewayCallbackLog]:
    return GatewayCallbackLog.objects.order_by("-pk")[:limit]
