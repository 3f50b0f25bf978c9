"""Idempotency keys for money-moving calls (DESIGN.md, Ledger).

A replay with the same body returns the first response and moves nothing; the same key with a
different body (or for a different operation) is a 422; a replay while the first call is still
running is a 409. A refusal (ApplicationError) is a result too and is replayed as such.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.errors import ApplicationError, Conflict, Unprocessable
from peerlend.ledger.models import IdempotencyRecord
from peerlend.ledger.services import with_retries

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# An in-progress record this old belongs to a process that died before committing its action
# (the action and the stored result commit together), so a retry may take it over.
STALE_AFTER = timedelta(minutes=5)

Action = Callable[[], tuple[int, dict[str, Any]]]
T = TypeVar("T")


def key_from_request(request: HttpRequest) -> str | None:
    return request.headers.get(HEADER)


def _validate_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise ApplicationError(
            _("the %(header)s header is required for this request") % {"header": HEADER},
            code="idempotency_key_required",
        )
    key = key.strip()
    if len(key) > MAX_KEY_LENGTH:
        raise ApplicationError(
            _("the %(header)s header must be at most %(n)d characters") % {"header": HEADER, "n": MAX_KEY_LENGTH},
            code="idempotency_key_required",
        )
    return key


def request_hash(scope: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps({"scope": scope, "payload": payload}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(user: Any, key: str, scope: str, digest: str) -> tuple[IdempotencyRecord, tuple[int, dict[str, Any]] | None]:
    """Insert the in-progress record (committed on its own) or decide from the existing one."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=user, key=key, scope=scope, request_hash=digest), None
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.get(user=user, key=key)
    if record.scope != scope or record.request_hash != digest:
        raise Unprocessable(
            _("this %(header)s was already used for a different request") % {"header": HEADER},
            code="idempotency_key_reused",
        )
    if record.state == IdempotencyRecord.State.DONE:
        return record, (int(record.response_status or 200), dict(record.response_body or {}))
    stale_before = timezone.now() - STALE_AFTER
    taken = IdempotencyRecord.objects.filter(
        pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS, updated_at__lt=stale_before
    ).update(updated_at=timezone.now())
    if taken == 1:
        return record, None
    raise Conflict(_("request with this key is still being processed"), code="idempotency_in_progress")


def run_idempotent(
    *, user: Any, key: str | None, scope: str, payload: dict[str, Any], action: Action
) -> tuple[int, dict[str, Any]]:
    """Run ``action`` at most once per (user, key); return its (status, body), first time and on replays."""
    key = _validate_key(key)
    record, stored = _claim(user, key, scope, request_hash(scope, payload))
    if stored is not None:
        return stored

    def attempt() -> tuple[int, dict[str, Any]]:
        with transaction.atomic():
            status, body = action()
            # Stored in the action's transaction: the effect and its recorded result commit together.
            IdempotencyRecord.objects.filter(pk=record.pk).update(
                state=IdempotencyRecord.State.DONE, response_status=status, response_body=body,
                updated_at=timezone.now(),
            )
        return status, body

    try:
        return with_retries(attempt)
    except ApplicationError as exc:
        body = exc.as_dict()
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            state=IdempotencyRecord.State.DONE, response_status=exc.status, response_body=body,
            updated_at=timezone.now(),
        )
        return exc.status, body
    except BaseException:
        # Nothing was decided: free the key so that the client's retry can run.
        IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS).delete()
        raise


def once_per_key(
    *,
    user: Any,
    key: str | None,
    scope: str,
    payload: dict[str, Any],
    run: Callable[[], T],
    save: Callable[[T], dict[str, Any]],
    load: Callable[[dict[str, Any]], T],
) -> T:
    """Run a money-moving use case at most once per (user, key); a replay gives back the first result.

    This is how a service takes its own key (DESIGN.md, Ledger). The scope and payload name the
    action itself (never the channel), so the same key sent from a page and from the API is one
    action. ``save`` turns the result into what is stored with the key and ``load`` reads it back
    on a replay; a refusal is stored too and raised again with its status, code and message.
    Without a key (``None``: internal callers such as the simulator) the use case simply runs; an
    empty key is refused as missing.
    """
    if key is None:
        return run()
    status, body = run_idempotent(user=user, key=key, scope=scope, payload=payload,
                                  action=lambda: (200, save(run())))
    if status >= 400:
        raise stored_refusal(status, body)
    try:
        return load(body)
    except (KeyError, TypeError, ValueError) as exc:
        # A result stored in an older shape (before the service took its own key) cannot be read back:
        # refuse the replay clearly rather than fail; nothing is run again.
        raise Conflict(_("This idempotency key was used for an earlier request that cannot be replayed; "
                         "check your balance and history, then send a new request with a new key."),
                       code="idempotency_key_stale") from exc


def stored_refusal(status: int, body: dict[str, Any]) -> ApplicationError:
    """The refusal a key recorded, as the error the first call raised."""
    extra = dict(body)
    detail = str(extra.pop("detail", ""))
    code = extra.pop("code", None)
    return ApplicationError(detail, code=None if code is None else str(code), status=status, extra=extra)
