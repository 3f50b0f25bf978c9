"""Use cases of the ledger context that change state; each is atomic.

``post_entry`` is the only way money moves. Everything else (freeze, deposits, payouts,
reconciliation resolutions, and other contexts' use cases) builds its lines and calls it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError, Conflict
from peerlend.ledger import posting_sql
from peerlend.ledger.models import (
    PLATFORM_CODES,
    AccountKind,
    JournalEntry,
    LedgerAccount,
)
from peerlend.ledger.retries import is_retryable, retry_on_conflict, with_retries

T = TypeVar("T")


# -- accounts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserAccounts:
    available: LedgerAccount
    frozen: LedgerAccount


def _get_or_create_account(code: str, **fields: Any) -> LedgerAccount:
    # get_or_create re-reads after losing a unique-index race (it uses a savepoint), so two
    # concurrent first deposits of one user end up with one account.
    account, _created = LedgerAccount.objects.get_or_create(code=code, defaults=fields)
    return account


def user_accounts(user: Any) -> UserAccounts:
    return user_accounts_of_ids([user.pk])[user.pk]


def user_accounts_many(users: Sequence[Any]) -> dict[int, UserAccounts]:
    """Each user's available and frozen accounts by user id: one read for all, created when missing."""
    return user_accounts_of_ids([user.pk for user in users])


def user_accounts_of_ids(user_ids: Sequence[int]) -> dict[int, UserAccounts]:
    """:func:`user_accounts_many` by user id (no need to load the users)."""
    codes: dict[str, tuple[int, str]] = {}
    for pk in user_ids:
        codes[f"user:{pk}:available"] = (pk, AccountKind.AVAILABLE)
        codes[f"user:{pk}:frozen"] = (pk, AccountKind.FROZEN)
    found = {a.code: a for a in LedgerAccount.objects.filter(code__in=list(codes))}
    for code, (pk, kind) in codes.items():
        if code not in found:
            found[code] = _get_or_create_account(code, owner_id=pk, kind=kind)
    return {
        pk: UserAccounts(available=found[f"user:{pk}:available"], frozen=found[f"user:{pk}:frozen"])
        for pk in user_ids
    }


def user_accounts_locked(user_ids: Sequence[int]) -> dict[int, UserAccounts]:
    """:func:`user_accounts_of_ids` with both rows of every user locked (``FOR UPDATE``, id order) and read
    under the lock, in one query when every user has their accounts (else they are created first)."""
    ids = sorted(set(user_ids))
    kinds = (AccountKind.AVAILABLE, AccountKind.FROZEN)

    def read() -> dict[tuple[int, str], LedgerAccount]:
        rows = (LedgerAccount.objects.select_for_update().filter(owner_id__in=ids, kind__in=kinds).order_by("pk")
                .only("id", "code", "owner_id", "kind", "currency", "balance_minor"))
        return {(a.owner_id, a.kind): a for a in rows}

    found = read()
    if len(found) != 2 * len(ids):
        user_accounts_of_ids(ids)  # creates the missing ones
        found = read()
    return {pk: UserAccounts(available=found[(pk, AccountKind.AVAILABLE)], frozen=found[(pk, AccountKind.FROZEN)])
            for pk in ids}


def _user_and_platform(user_id: int, platform_code: str) -> tuple[UserAccounts, LedgerAccount]:
    """A user's accounts and one platform account from one read (a deposit or payout touches both)."""
    codes = [f"user:{user_id}:available", f"user:{user_id}:frozen", f"platform:{platform_code}"]
    found = {a.code: a for a in LedgerAccount.objects.filter(code__in=codes)}
    if len(found) != len(codes):
        return user_accounts_of_ids([user_id])[user_id], platform_account(platform_code)
    return UserAccounts(available=found[codes[0]], frozen=found[codes[1]]), found[codes[2]]


def platform_account(code: str) -> LedgerAccount:
    short = code.removeprefix("platform:")
    if short not in PLATFORM_CODES:
        raise ValueError(f"unknown platform account {code!r}")
    return _get_or_create_account(f"platform:{short}", kind=AccountKind.PLATFORM)


# -- posting -----------------------------------------------------------------------------------


def _insufficient(account: LedgerAccount, have: int, need: int) -> ApplicationError:
    which = {
        AccountKind.AVAILABLE: _("available"),
        AccountKind.FROZEN: _("frozen"),
    }.get(account.kind, account.code)  # type: ignore[call-overload]
    return Conflict(
        _("insufficient %(which)s balance: have %(have)s, need %(need)s")
        % {
            "which": which,
            "have": format_minor(have, account.currency),
            "need": format_minor(need, account.currency),
        },
        code="insufficient_funds",
    )


@dataclass(frozen=True)
class EntrySpec:
    """One journal entry to post: ``lines`` are (account, signed minor amount) pairs."""

    kind: str
    lines: Sequence[tuple[LedgerAccount, int]]
    memo: str = ""
    reference: str = ""
    business_date: date | None = None


def _validated(spec: EntrySpec) -> dict[int, int]:
    """The entry's net amount per account id; ``ValueError`` unless it is a well-formed balanced entry."""
    if not spec.kind:
        raise ValueError("entry kind is required")
    merged: dict[int, int] = {}
    currencies: dict[int, str] = {}
    for account, amount in spec.lines:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError(f"posting amount must be int minor units, got {type(amount).__name__}")
        if amount == 0:
            raise ValueError("posting amount must be non-zero")
        if account.pk is None:
            raise ValueError("posting account must be saved")
        currencies[account.pk] = account.currency
        merged[account.pk] = merged.get(account.pk, 0) + amount
    merged = {pk: amount for pk, amount in merged.items() if amount != 0}
    if len(merged) < 2:
        raise ValueError("an entry needs at least two accounts with non-zero amounts")
    sums: dict[str, int] = {}
    for pk, amount in merged.items():
        sums[currencies[pk]] = sums.get(currencies[pk], 0) + amount
    unbalanced = {cur: total for cur, total in sums.items() if total != 0}
    if unbalanced:
        raise ValueError(f"entry does not balance: {unbalanced}")
    return merged


def check_funds(account: LedgerAccount, balance_minor: int, delta_minor: int) -> None:
    """Raise ``insufficient_funds`` if ``delta_minor`` would take a guarded account below zero."""
    if delta_minor < 0 and account.must_stay_non_negative and balance_minor + delta_minor < 0:
        raise _insufficient(account, balance_minor, -delta_minor)


def post_entry(
    *,
    kind: str,
    lines: Sequence[tuple[LedgerAccount, int]],
    memo: str = "",
    reference: str = "",
    business_date: date | None = None,
) -> JournalEntry:
    """Post one balanced journal entry atomically and return it (posted).

    Programming errors (zero or non-int lines, fewer than two accounts, a non-zero sum per
    currency) raise ``ValueError``. A line that would take a user account or the risk reserve
    below zero raises ``ApplicationError(code="insufficient_funds")`` and nothing is written.
    """
    spec = EntrySpec(kind=kind, lines=lines, memo=memo, reference=reference, business_date=business_date)
    return post_entries([spec])[0]


def post_entries(specs: Sequence[EntrySpec]) -> list[JournalEntry]:
    """Post many balanced entries in one atomic step and return them (posted), in order.

    Each entry is validated like :func:`post_entry` and must stay within funds at its turn
    (running balances in entry order); any failure rejects the whole batch and writes nothing.
    Each account's balance row is updated once with its net change: updating a hot account
    once per entry leaves a dead row version per entry that the rest of the transaction
    has to walk past, so per-entry updates cost quadratically in the batch size.
    """
    if not specs:
        return []
    deltas = [_validated(spec) for spec in specs]
    net: dict[int, int] = {}
    for merged in deltas:
        for pk, amount in merged.items():
            net[pk] = net.get(pk, 0) + amount

    # The callers' account objects say which accounts must stay non-negative (kind and code never change);
    # the balances come from the locked rows.
    accounts = {account.pk: account for spec in specs for account, _amount in spec.lines}
    with transaction.atomic():
        # Fixed lock order (account id) so two transactions touching the same accounts cannot deadlock.
        locked = posting_sql.locked_balances(sorted(net))
        if len(locked) != len(net):
            raise ValueError(f"posting accounts do not exist: {sorted(set(net) - set(locked))}")
        running = dict(locked)
        for merged in deltas:
            for pk in sorted(merged):
                check_funds(accounts[pk], running[pk], merged[pk])
                running[pk] += merged[pk]
        entries = posting_sql.insert_entries(specs)
        posting_sql.insert_postings([
            (entry.pk, pk, amount)
            for entry, merged in zip(entries, deltas, strict=True)
            for pk, amount in sorted(merged.items())
        ])
        posting_sql.add_to_balances({pk: delta for pk, delta in net.items() if delta})
        # The database trigger re-checks each entry's sum as it is marked posted.
        posting_sql.mark_posted([entry.pk for entry in entries])
    for entry in entries:
        entry.posted = True
    # Keep callers' in-memory account objects current too.
    for spec in specs:
        for account, _amount in spec.lines:
            account.balance_minor = running[account.pk]
    return entries


def freeze(user: Any, amount_minor: int, *, kind: str, reference: str, memo: str = "") -> JournalEntry:
    """Move ``amount_minor`` from the user's available to frozen (e.g. an investment bid, a withdrawal)."""
    _require_positive(amount_minor)
    accounts = user_accounts(user)
    return post_entry(
        kind=kind,
        lines=[(accounts.available, -amount_minor), (accounts.frozen, amount_minor)],
        memo=memo,
        reference=reference,
    )


def unfreeze(user: Any, amount_minor: int, *, kind: str, reference: str, memo: str = "") -> JournalEntry:
    """Move ``amount_minor`` back from frozen to available (a bid refunded, a payout failed)."""
    _require_positive(amount_minor)
    accounts = user_accounts(user)
    return post_entry(
        kind=kind,
        lines=[(accounts.frozen, -amount_minor), (accounts.available, amount_minor)],
        memo=memo,
        reference=reference,
    )


def _require_positive(amount_minor: int) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise ValueError("amount_minor must be a positive int")


# Deposits, withdrawals and gateway callbacks live in ``payments`` (which imports this module);
# their names stay reachable here, resolved on first use so either module may be imported first.
_PAYMENT_NAMES = frozenset({
    "CallbackRejected", "complete_deposit_from_callback", "create_deposit_order", "get_deposit_order",
    "handle_gateway_callback", "json_dumps_compact", "parse_money_input", "request_withdrawal",
})


def __getattr__(name: str) -> Any:
    if name in _PAYMENT_NAMES:
        from peerlend.ledger import payments

        return getattr(payments, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "EntrySpec",
    "UserAccounts",
    "check_funds",
    "freeze",
    "is_retryable",
    "platform_account",
    "post_entries",
    "post_entry",
    "retry_on_conflict",
    "unfreeze",
    "user_accounts",
    "user_accounts_many",
    "user_accounts_of_ids",
    "with_retries",
]
