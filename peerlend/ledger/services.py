"""Use cases of the ledger context that change state; each is atomic.

``post_entry`` is the only way money moves. Everything else (freeze, deposits, payouts,
reconciliation resolutions, and other contexts' use cases) builds its lines and calls it.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db import OperationalError, connection, transaction
from django.db.models import BigIntegerField, Case, F, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.domain.money import format_minor, parse_amount_minor
from peerlend.errors import ApplicationError, Conflict, NotFound, Unprocessable
from peerlend.ledger.models import (
    PLATFORM_CODES,
    AccountKind,
    DepositOrder,
    JournalEntry,
    LedgerAccount,
    PaymentStatus,
    Posting,
    Withdrawal,
    default_currency,
)

logger = logging.getLogger("peerlend.ledger")
T = TypeVar("T")


# -- retries -----------------------------------------------------------------------------------

_RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


def is_retryable(exc: BaseException) -> bool:
    """A deadlock or serialization failure (PostgreSQL), or SQLite's busy database."""
    cause = exc.__cause__ or exc
    if getattr(cause, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc)


def with_retries(fn: Callable[[], T], attempts: int = 5) -> T:
    """Run ``fn`` and retry it (bounded, with a short jittered back-off) on deadlock/serialization failure.

    Inside an outer transaction a retry is impossible (the transaction is already aborted), so the
    error is re-raised for the outermost caller to retry.
    """
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except OperationalError as exc:
            if attempt == attempts or connection.in_atomic_block or not is_retryable(exc):
                raise
            logger.info("ledger: retrying after %s (attempt %d)", exc, attempt)
            time.sleep(0.005 * attempt * (1 + (time.monotonic_ns() % 7) / 7))
    raise AssertionError("unreachable")  # pragma: no cover


def retry_on_conflict(fn: Callable[..., T]) -> Callable[..., T]:
    """Decorator form of :func:`with_retries`."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        return with_retries(lambda: fn(*args, **kwargs))

    return wrapper


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
    return UserAccounts(
        available=_get_or_create_account(f"user:{user.pk}:available", owner=user, kind=AccountKind.AVAILABLE),
        frozen=_get_or_create_account(f"user:{user.pk}:frozen", owner=user, kind=AccountKind.FROZEN),
    )


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
    if not kind:
        raise ValueError("entry kind is required")
    merged: dict[int, int] = {}
    by_id: dict[int, LedgerAccount] = {}
    for account, amount in lines:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError(f"posting amount must be int minor units, got {type(amount).__name__}")
        if amount == 0:
            raise ValueError("posting amount must be non-zero")
        if account.pk is None:
            raise ValueError("posting account must be saved")
        by_id[account.pk] = account
        merged[account.pk] = merged.get(account.pk, 0) + amount
    merged = {pk: amount for pk, amount in merged.items() if amount != 0}
    if len(merged) < 2:
        raise ValueError("an entry needs at least two accounts with non-zero amounts")
    sums: dict[str, int] = {}
    for pk, amount in merged.items():
        currency = by_id[pk].currency
        sums[currency] = sums.get(currency, 0) + amount
    unbalanced = {cur: total for cur, total in sums.items() if total != 0}
    if unbalanced:
        raise ValueError(f"entry does not balance: {unbalanced}")

    with transaction.atomic():
        # Fixed lock order (account id) so two entries touching the same accounts cannot deadlock.
        locked = list(LedgerAccount.objects.select_for_update().filter(pk__in=merged).order_by("pk"))
        for account in locked:
            delta = merged[account.pk]
            if delta < 0 and account.must_stay_non_negative and account.balance_minor + delta < 0:
                raise _insufficient(account, account.balance_minor, -delta)
        entry = JournalEntry.objects.create(
            kind=kind, memo=memo[:255], reference=reference[:120], business_date=business_date, posted=False
        )
        Posting.objects.bulk_create(
            [Posting(entry=entry, account_id=pk, amount_minor=amount) for pk, amount in sorted(merged.items())]
        )
        # One UPDATE for all touched accounts (rows already locked above).
        LedgerAccount.objects.filter(pk__in=merged).update(
            balance_minor=F("balance_minor")
            + Case(*[When(pk=pk, then=Value(delta)) for pk, delta in merged.items()], output_field=BigIntegerField())
        )
        for account in locked:
            account.balance_minor += merged[account.pk]
            # Keep callers' in-memory objects current too.
            if by_id[account.pk] is not account:
                by_id[account.pk].balance_minor = account.balance_minor
        # The database trigger re-checks the sum at this moment.
        JournalEntry.objects.filter(pk=entry.pk).update(posted=True)
        entry.posted = True
    return entry


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


# -- deposits and withdrawals --------------------------------------------------------------------


def parse_money_input(data: dict[str, Any]) -> int:
    """Amount (major-unit string) and optional currency of a request body -> positive minor units.

    Raises ``ApplicationError`` 400 ``invalid_amount`` / 422 ``unsupported_currency`` with a clear message.
    """
    currency = default_currency()
    if "currency" in data and data["currency"] != currency:
        raise Unprocessable(
            _("unsupported currency %(got)s: this platform settles in %(cur)s")
            % {"got": str(data["currency"])[:10], "cur": currency},
            code="unsupported_currency",
        )
    if "amount" not in data:
        raise ApplicationError(_("amount is required, e.g. \"100.00\""), code="invalid_amount")
    amount = data["amount"]
    if not isinstance(amount, str):
        raise ApplicationError(
            _("amount must be a decimal string in major units, e.g. \"100.00\" (not a JSON number)"),
            code="invalid_amount",
        )
    try:
        return parse_amount_minor(amount, currency)
    except ValueError as exc:
        raise ApplicationError(_("invalid amount: %(why)s") % {"why": exc}, code="invalid_amount") from None


def _require_kyc(user: Any) -> None:
    from peerlend.accounts.services import require_kyc

    require_kyc(user)


def create_deposit_order(user: Any, amount_minor: int) -> DepositOrder:
    """A pending deposit order; money arrives only with the gateway's verified callback."""
    _require_kyc(user)
    _require_positive(amount_minor)
    with transaction.atomic():
        order = DepositOrder.objects.create(user=user, amount_minor=amount_minor, currency=default_currency())
        user_accounts(user)
    return order


def request_withdrawal(user: Any, amount_minor: int) -> Withdrawal:
    """Freeze the amount and ask the gateway for a payout; the payout callback settles or unfreezes."""
    from peerlend.ledger.gateway import get_gateway

    _require_kyc(user)
    _require_positive(amount_minor)
    with transaction.atomic():
        withdrawal = Withdrawal.objects.create(user=user, amount_minor=amount_minor, currency=default_currency())
        entry = freeze(
            user, amount_minor, kind="withdrawal_freeze", reference=withdrawal.reference, memo="withdrawal requested"
        )
        Withdrawal.objects.filter(pk=withdrawal.pk).update(freeze_entry=entry)
        withdrawal.freeze_entry = entry
        get_gateway().request_payout(withdrawal)
    return withdrawal


def _check_amount(obj: DepositOrder | Withdrawal, payload: dict[str, Any]) -> None:
    try:
        amount_minor = parse_amount_minor(str(payload.get("amount", "")), obj.currency)
    except ValueError:
        amount_minor = -1
    if payload.get("currency") != obj.currency or amount_minor != obj.amount_minor:
        raise CallbackRejected(
            "mismatch",
            f"callback says {payload.get('amount')} {payload.get('currency')}, "
            f"order is {format_minor(obj.amount_minor, obj.currency)} {obj.currency}",
        )


class CallbackRejected(Exception):
    """A verified callback that must change nothing (unknown order, wrong amount, ...)."""

    def __init__(self, outcome: str, detail: str) -> None:
        super().__init__(detail)
        self.outcome = outcome
        self.detail = detail


def complete_deposit_from_callback(payload: dict[str, Any]) -> str:
    """Apply a *verified* deposit callback. Returns "applied" or "duplicate"; raises CallbackRejected.

    Compare-and-set on the order status makes a replay (or two concurrent deliveries) credit once.
    """
    with transaction.atomic():
        order = DepositOrder.objects.filter(public_id=str(payload.get("order_id", ""))).first()
        if order is None:
            raise CallbackRejected("unknown_order", f"no deposit order {str(payload.get('order_id'))[:64]!r}")
        _check_amount(order, payload)
        status = payload.get("status")
        if status not in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED):
            raise CallbackRejected("malformed", f"unknown status {str(status)[:20]!r}")
        won = DepositOrder.objects.filter(pk=order.pk, status=PaymentStatus.PENDING).update(
            status=status, completed_at=timezone.now(), gateway_reference=str(payload.get("gateway_txn", ""))[:64]
        )
        if won != 1:
            return "duplicate"
        if status == PaymentStatus.SUCCEEDED:
            accounts = user_accounts(order.user)
            entry = post_entry(
                kind="deposit",
                lines=[
                    (platform_account("custody_bank"), -order.amount_minor),
                    (accounts.available, order.amount_minor),
                ],
                memo="deposit via gateway",
                reference=order.reference,
            )
            DepositOrder.objects.filter(pk=order.pk).update(entry=entry)
    return "applied"


def settle_withdrawal_from_callback(payload: dict[str, Any]) -> str:
    """Apply a *verified* payout callback: succeeded -> frozen leaves custody; failed -> unfreeze."""
    with transaction.atomic():
        withdrawal = Withdrawal.objects.filter(public_id=str(payload.get("withdrawal_id", ""))).first()
        if withdrawal is None:
            raise CallbackRejected("unknown_order", f"no withdrawal {str(payload.get('withdrawal_id'))[:64]!r}")
        _check_amount(withdrawal, payload)
        status = payload.get("status")
        if status not in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED):
            raise CallbackRejected("malformed", f"unknown status {str(status)[:20]!r}")
        won = Withdrawal.objects.filter(pk=withdrawal.pk, status=PaymentStatus.PENDING).update(
            status=status, completed_at=timezone.now(), gateway_reference=str(payload.get("gateway_txn", ""))[:64]
        )
        if won != 1:
            return "duplicate"
        if status == PaymentStatus.SUCCEEDED:
            accounts = user_accounts(withdrawal.user)
            entry = post_entry(
                kind="withdrawal",
                lines=[
                    (accounts.frozen, -withdrawal.amount_minor),
                    (platform_account("custody_bank"), withdrawal.amount_minor),
                ],
                memo="payout settled",
                reference=withdrawal.reference,
            )
        else:
            entry = unfreeze(
                withdrawal.user, withdrawal.amount_minor, kind="withdrawal_unfreeze",
                reference=withdrawal.reference, memo="payout failed",
            )
        Withdrawal.objects.filter(pk=withdrawal.pk).update(settle_entry=entry)
    return "applied"


def handle_gateway_callback(body: bytes, signature: str) -> tuple[int, dict[str, Any]]:
    """The one entry point for gateway callbacks (HTTP endpoint and sandbox helpers alike).

    Verifies the signature, applies the event, and logs every delivery with its outcome.
    Returns (HTTP status, JSON body) for the gateway.
    """
    from peerlend.ledger.gateway import get_gateway
    from peerlend.ledger.models import GatewayCallbackLog as Log

    text = body.decode("utf-8", errors="replace")
    reference = ""
    try:
        payload = get_gateway().verify_callback(body, signature)
    except ApplicationError as exc:
        outcome = Log.Outcome.BAD_SIGNATURE if exc.code == "bad_signature" else Log.Outcome.MALFORMED
        Log.objects.create(body=text[:100_000], signature=signature[:200], outcome=outcome, detail=exc.message[:255])
        return exc.status, exc.as_dict()
    event = payload.get("type")
    try:
        if event == "deposit":
            reference = f"deposit:{str(payload.get('order_id', ''))[:64]}"
            outcome = with_retries(lambda: complete_deposit_from_callback(payload))
        elif event == "payout":
            reference = f"withdrawal:{str(payload.get('withdrawal_id', ''))[:64]}"
            outcome = with_retries(lambda: settle_withdrawal_from_callback(payload))
        else:
            raise CallbackRejected("malformed", f"unknown event type {str(event)[:20]!r}")
    except CallbackRejected as exc:
        Log.objects.create(
            body=text[:100_000], signature=signature[:200], outcome=exc.outcome, detail=exc.detail[:255],
            reference=reference,
        )
        status = 404 if exc.outcome == "unknown_order" else 422 if exc.outcome == "mismatch" else 400
        return status, {"detail": exc.detail, "code": exc.outcome}
    Log.objects.create(body=text[:100_000], signature=signature[:200], outcome=outcome, reference=reference)
    logger.info("gateway callback %s: %s", reference, outcome)
    return 200, {"status": outcome}


def json_dumps_compact(data: dict[str, Any]) -> bytes:
    import json

    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def get_deposit_order(public_id: str) -> DepositOrder:
    order = DepositOrder.objects.select_related("user").filter(public_id=public_id).first()
    if order is None:
        raise NotFound(_("no such deposit order"))
    return order


__all__ = [
    "CallbackRejected",
    "UserAccounts",
    "complete_deposit_from_callback",
    "create_deposit_order",
    "freeze",
    "handle_gateway_callback",
    "is_retryable",
    "parse_money_input",
    "platform_account",
    "post_entry",
    "request_withdrawal",
    "retry_on_conflict",
    "settle_withdrawal_from_callback",
    "unfreeze",
    "user_accounts",
    "with_retries",
]
