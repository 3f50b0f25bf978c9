"""Publishing a month's operating data (once, then immutable) and correcting it (a new, linked version).

``publish_month`` is idempotent: a month already published is returned as it is, never recomputed.
The daily batch step publishes the previous month on the first working day of a month on which
``run-day`` runs (the guideline's window is the first 5 working days; a later run still publishes
and says it is late in the step's log).
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from peerlend.compliance.models import canonical_json
from peerlend.compliance.services import record_audit
from peerlend.disclosure.models_monthly import MonthlySnapshot
from peerlend.disclosure.monthly import figures as fig
from peerlend.disclosure.monthly.periods import month_end, previous_month, working_day_of_month
from peerlend.domain import pricing
from peerlend.errors import ApplicationError, NotFound
from peerlend.servicing.rules import servicing_rules

logger = logging.getLogger("peerlend.disclosure")
PUBLISH_WINDOW_WORKING_DAYS = 5
MAX_REASON = 2000


def fee_schedule() -> dict[str, Any]:
    """The fees in force now (rates as decimal strings, amounts in minor units)."""
    rules = servicing_rules()
    return {
        "origination_fee_base": str(pricing.ORIGINATION_FEE_BASE),
        "origination_fee_max": str(pricing.ORIGINATION_FEE_MAX),
        "investor_service_fee_rate": str(rules.investor_service_fee_rate),
        "late_fee_rate": str(rules.late_fee_rate),
        "late_fee_min_minor": rules.late_fee_min_minor,
        "penalty_daily_rate": str(rules.penalty_daily_rate),
        "prepayment_penalty_rate": str(rules.prepayment_penalty_rate),
        "guarantee_mode": rules.guarantee_mode,
    }


def _digest(month: date, version: int, figures: dict[str, int], fees: dict[str, Any]) -> str:
    body = {"month": month.isoformat(), "version": version, "figures": figures, "fee_schedule": fees}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def _check_month_over(month: date, today: date) -> None:
    if month_end(month) >= today:
        raise ApplicationError(gettext("A month can be published only after it has ended."), code="month_not_over")


def _build(month: date, version: int, today: date, **extra: Any) -> MonthlySnapshot:
    figures = fig.compute(month_end(month))
    fees = fee_schedule()
    snap = MonthlySnapshot(month=month, version=version, as_of=month_end(month), figures=figures,
                           fee_schedule=fees, sha256=_digest(month, version, figures, fees), published_on=today,
                           **extra)
    snap.save(force_insert=True)
    return snap


def publish_month(month: date, *, today: date, actor: Any = None) -> MonthlySnapshot:
    """Publish ``month`` (its first day) as of its month-end; a month already published is returned unchanged."""
    month = month.replace(day=1)
    _check_month_over(month, today)
    existing = MonthlySnapshot.objects.filter(month=month, version=1).first()
    if existing is not None:
        return cast(MonthlySnapshot, existing)
    try:
        with transaction.atomic():
            snap = _build(month, 1, today, published_by=actor if getattr(actor, "pk", None) else None)
            record_audit(actor=actor, action="disclosure.monthly_published", target=snap, old=None,
                         new={"month": month.isoformat(), "version": 1, "sha256": snap.sha256},
                         reason=f"operating data as of {snap.as_of.isoformat()}")
    except IntegrityError:  # a concurrent publisher won: theirs is the published one
        return cast(MonthlySnapshot, MonthlySnapshot.objects.get(month=month, version=1))
    return snap


def correct_month(month: date, *, actor: Any, reason: str, today: date) -> MonthlySnapshot:
    """A new version of a published month, recomputed now, linked to the version it corrects."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ApplicationError(gettext("Give the reason for the correction (at most 2000 characters)."),
                               code="reason_required")
    month = month.replace(day=1)
    with transaction.atomic():
        latest = (MonthlySnapshot.objects.select_for_update().filter(month=month).order_by("-version").first())
        if latest is None:
            raise NotFound(gettext("This month has not been published."), code="not_published")
        snap = _build(month, latest.version + 1, today, published_by=actor, supersedes=latest, reason=reason)
        record_audit(actor=actor, action="disclosure.monthly_corrected", target=snap,
                     old={"version": latest.version, "sha256": latest.sha256},
                     new={"version": snap.version, "sha256": snap.sha256}, reason=reason)
    return snap


def step_publish(today: date, chunk_size: int) -> int:
    """Run-day step: on a working day, publish the previous month if it is not published yet."""
    day = working_day_of_month(today)
    month = previous_month(today)
    if day == 0 or MonthlySnapshot.objects.filter(month=month).exists():
        return 0
    if day > PUBLISH_WINDOW_WORKING_DAYS:
        logger.warning("operating data of %s published late (working day %s)", month, day)
    publish_month(month, today=today)
    return 1
