"""Flagging members as related parties of the platform (their loans are disclosed apart); audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from peerlend.compliance.services import record_audit
from peerlend.disclosure.models_monthly import RelatedParty
from peerlend.errors import ApplicationError

MAX_REASON = 200


def flag_related_party(*, actor: Any, user: Any, reason: str, since: date) -> RelatedParty:
    """Flag ``user`` from ``since``; a member flagged already is refused (end the flag first)."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ApplicationError(gettext("Give the reason (at most 200 characters)."), code="reason_required")
    with transaction.atomic():
        if RelatedParty.objects.select_for_update().filter(user=user).exists():
            raise ApplicationError(gettext("This member is flagged as a related party already."),
                                   code="already_flagged", status=409)
        row = RelatedParty.objects.create(user=user, reason=reason, since=since)
        record_audit(actor=actor, action="disclosure.related_party_flagged", target=row, old=None,
                     new={"user": user.pk, "since": since.isoformat()}, reason=reason)
    return row


def end_related_party(*, actor: Any, user: Any, until: date, reason: str) -> RelatedParty:
    """The flag stops counting from ``until`` (month-ends on or after it no longer see it)."""
    with transaction.atomic():
        row = RelatedParty.objects.select_for_update().filter(user=user, until__isnull=True).first()
        if row is None:
            raise ApplicationError(gettext("This member is not flagged as a related party."), code="not_flagged",
                                   status=404)
        if until <= row.since:
            raise ApplicationError(gettext("The end must be after the start of the flag."), code="invalid_until")
        RelatedParty.objects.filter(pk=row.pk).update(until=until)
        record_audit(actor=actor, action="disclosure.related_party_ended", target=row, old={"until": None},
                     new={"until": until.isoformat()}, reason=reason)
        row.until = until
    return row
