"""Deposits, withdrawals and the payment gateway's callbacks (ledger context).

Money enters only through a deposit order completed by the gateway's signed callback and leaves
only through a frozen withdrawal settled by its payout callback; both post through
``services.post_entry``/``freeze``. Split from ``services.py`` along that seam.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.amount_input import parse_amount_input
from peerlend.domain.money import format_minor, parse_amount_minor
from peerlend.errors import ApplicationError, NotFound, Unprocessable
from peerlend.ledger import limits
from peerlend.ledger.idempotency import once_per_key
from peerlend.ledger.models import (
    DepositOrder,
    PaymentStatus,
    Withdrawal,
    default_currency,
)
from peerlend.ledger.services import (
    _require_positive,
    _user_and_platform,
    freeze,
    post_entry,
    unfreeze,
    user_accounts,
    with_retries,
)
from peerlend.notify import notify

logger = logging.getLogger("peerlend.ledger")


# -- deposits and withdrawals --------------------------------------------------------------------


def parse_money_input(data: dict[str, Any]) -> int:
    """Amount (major-unit string) and optional currency of a request body -> positive minor units.

    The amount is read as every form and API route reads one (``peerlend.amount_input``): 400
    ``invalid_amount``; another currency than the platform's is a 422 ``unsupported_currency``.
    """
    currency = default_currency()
    if "currency" in data and data["currency"] != currency:
        raise Unprocessable(
            _("unsupported currency %(got)s: this platform settles in %(cur)s")
            % {"got": str(data["currency"])[:10], "cur": currency},
            code="unsupported_currency",
        )
    return parse_amount_input(data.get("amount"), currency=currency)


def _require_kyc(user: Any) -> None:
    from peerlend.accounts.services import require_kyc

    require_kyc(user)


def create_deposit_order(user: Any, amount_minor: int) -> DepositOrder:
    """A pending deposit order; money arrives only with the gateway's verified callback."""
    with transaction.atomic():
        order = _within_limits(DepositOrder, "deposit", user, amount_minor)
        user_accounts(user)
    return order


def _within_limits(model: type[Any], action: str, user: Any, amount_minor: int) -> Any:
    """A new deposit order or withdrawal row, once the member and amount pass every check (in a transaction).

    Per-transaction and daily limits (limit_exceeded, 400); the member's requests are serialised
    meanwhile, so two requests cannot both fit under one day's limit.
    """
    _require_kyc(user)
    _require_positive(amount_minor)
    today = limits.business_day()
    limits.lock_member(user)
    limits.enforce(user, action, amount_minor, day=today)
    return model.objects.create(user=user, amount_minor=amount_minor, currency=default_currency(), business_date=today)


def open_deposit_order(user: Any, amount_minor: int, *, idempotency_key: str | None) -> tuple[DepositOrder, str]:
    """A deposit order and the gateway URL its payer is sent to.

    Once per ``idempotency_key`` (scope ``ledger.deposit``, shared by the account page and the
    API): a replay returns the first order, or its refusal, and creates nothing again. The URL is
    the gateway's (relative for the sandbox; the API makes it absolute), built after the order is
    committed, with no row locked; adapters derive it from the order, so a replay gets the same URL.
    """
    from peerlend.ledger.gateway import get_gateway

    order = once_per_key(
        user=user, key=idempotency_key, scope="ledger.deposit", payload=_money_payload(amount_minor),
        run=lambda: create_deposit_order(user, amount_minor),
        save=lambda made: {"order_id": made.pk},
        load=lambda stored: DepositOrder.objects.get(pk=stored["order_id"]),
    )
    return order, get_gateway().create_deposit_order(order)


def _money_payload(amount_minor: int) -> dict[str, Any]:
    """What a deposit or withdrawal key is bound to: the amount, written one way whatever way it was typed."""
    return {"amount": format_minor(amount_minor)}


def request_withdrawal(user: Any, amount_minor: int, *, idempotency_key: str | None = None) -> Withdrawal:
    """Freeze the amount and ask the gateway for a payout; the payout callback settles or unfreezes.

    With an ``idempotency_key`` (scope ``ledger.withdrawal``, shared by the account page and the
    API) a replay returns the first withdrawal, or its refusal, and freezes nothing again.
    """
    return once_per_key(
        user=user, key=idempotency_key, scope="ledger.withdrawal", payload=_money_payload(amount_minor),
        run=lambda: _request_withdrawal(user, amount_minor),
        save=lambda withdrawal: {"withdrawal_id": withdrawal.pk},
        load=lambda stored: Withdrawal.objects.get(pk=stored["withdrawal_id"]),
    )


def _request_withdrawal(user: Any, amount_minor: int) -> Withdrawal:
    from peerlend.ledger import outbox

    with transaction.atomic():
        withdrawal: Withdrawal = _within_limits(Withdrawal, "withdrawal", user, amount_minor)
        entry = freeze(
            user, amount_minor, kind="withdrawal_freeze", reference=withdrawal.reference, memo="withdrawal requested"
        )
        Withdrawal.objects.filter(pk=withdrawal.pk).update(freeze_entry=entry)
        withdrawal.freeze_entry = entry
        # Sent to the gateway after commit (outbox): never while the accounts are locked.
        outbox.request_payout(withdrawal)
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


def _claim_callback(model: type[DepositOrder] | type[Withdrawal], id_key: str,
                    payload: dict[str, Any]) -> tuple[Any, str | None]:
    """Find the order a callback names, check it, and move it out of pending by compare-and-set.

    Returns (order, new status), or (order, None) when another delivery got there first, so a
    replay or two concurrent deliveries change the books once. Raises CallbackRejected.
    """
    order = model.objects.filter(public_id=str(payload.get(id_key, ""))).first()
    if order is None:
        raise CallbackRejected("unknown_order", f"no {model._meta.verbose_name} {str(payload.get(id_key))[:64]!r}")
    _check_amount(order, payload)
    status = payload.get("status")
    if status not in (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED):
        raise CallbackRejected("malformed", f"unknown status {str(status)[:20]!r}")
    won = model.objects.filter(pk=order.pk, status=PaymentStatus.PENDING).update(
        status=status, completed_at=timezone.now(), gateway_reference=str(payload.get("gateway_txn", ""))[:64]
    )
    return order, (str(status) if won == 1 else None)


# The notice (peerlend.notify) a settled deposit or withdrawal sends, by the gateway's status.
_OUTCOME = {PaymentStatus.SUCCEEDED: "completed", PaymentStatus.FAILED: "failed"}


def complete_deposit_from_callback(payload: dict[str, Any]) -> str:
    """Apply a *verified* deposit callback. Returns "applied" or "duplicate"; raises CallbackRejected."""
    with transaction.atomic():
        order, status = _claim_callback(DepositOrder, "order_id", payload)
        if status is None:
            return "duplicate"
        if status == PaymentStatus.SUCCEEDED:
            accounts, custody = _user_and_platform(order.user_id, "custody_bank")
            entry = post_entry(
                kind="deposit",
                lines=[
                    (custody, -order.amount_minor),
                    (accounts.available, order.amount_minor),
                ],
                memo="deposit via gateway",
                reference=order.reference,
            )
            DepositOrder.objects.filter(pk=order.pk).update(entry=entry)
        notify(order.user_id, f"deposit_{_OUTCOME[status]}", order.reference, {"amount_minor": order.amount_minor})
    return "applied"


def settle_withdrawal_from_callback(payload: dict[str, Any]) -> str:
    """Apply a *verified* payout callback: succeeded -> frozen leaves custody; failed -> unfreeze."""
    with transaction.atomic():
        withdrawal, status = _claim_callback(Withdrawal, "withdrawal_id", payload)
        if status is None:
            return "duplicate"
        if status == PaymentStatus.SUCCEEDED:
            accounts, custody = _user_and_platform(withdrawal.user_id, "custody_bank")
            entry = post_entry(
                kind="withdrawal",
                lines=[
                    (accounts.frozen, -withdrawal.amount_minor),
                    (custody, withdrawal.amount_minor),
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
        notify(withdrawal.user_id, f"withdrawal_{_OUTCOME[status]}", withdrawal.reference,
               {"amount_minor": withdrawal.amount_minor})
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

