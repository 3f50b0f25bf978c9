"""Use cases on model candidates: store a challenger, approve it (it goes live) or reject it.

Only a risk officer or an administrator decides. Every decision is a compare-and-set on the
candidate's status inside one transaction, with an audit event (``compliance.record_audit``).
Approving retires the live candidate first (one approved row at a time, a unique index says so).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError, NotFound, PermissionDenied
from peerlend.scoring.models import CandidateStatus, ModelCandidate
from peerlend.scoring.retraining.book import book_loans, build_dataset
from peerlend.scoring.retraining.challenger import Challenger, fit_challenger
from peerlend.scoring.retraining.live import live_model

DECIDER_ROLES = ("risk_officer", "admin")  # accounts.Role values (scoring may not import accounts)
MAX_REASON_LENGTH = 1000


def can_decide(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(set(getattr(user, "roles", None) or [])
                                                                   & set(DECIDER_ROLES))


def train_from_platform(*, as_of: dt.date, horizon_months: int, min_bad: int) -> tuple[ModelCandidate, bool]:
    """Fit a challenger on the matured book and store it as a pending candidate.

    Returns (candidate, created): the same book gives the same version, stored once.
    Raises ``challenger.NotEnoughData`` (naming the counts) when the book is too thin.
    """
    data = build_dataset(book_loans(as_of), as_of, horizon_months)
    champion = live_model()
    ch: Challenger = fit_challenger(data, champion, min_bad)
    with transaction.atomic():
        existing = ModelCandidate.objects.filter(version=ch.version).first()
        if existing is not None:
            return existing, False
        candidate = ModelCandidate.objects.create(
            version=ch.version, artifact_text=ch.artifact_text, report_text=ch.report_text,
            rows=len(data.rows), bad=data.bad, train_rows=ch.train_rows, holdout_rows=ch.holdout_rows,
            as_of=as_of, horizon_months=horizon_months, min_bad=min_bad, champion_version=champion.version)
        record_audit(actor=None, action="model.candidate_created", target=candidate,
                     new={"version": candidate.version, "rows": candidate.rows, "bad": candidate.bad,
                          "champion": champion.version})
    return candidate, True


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("A decision on a model needs a reason."), code="reason_required")
    if len(reason) > MAX_REASON_LENGTH:
        raise ApplicationError(_("The reason may be at most %(n)d characters.") % {"n": MAX_REASON_LENGTH},
                               code="reason_too_long")
    return reason


def _decide(user: Any, candidate_id: int, reason: str, new_status: str) -> ModelCandidate:
    if not can_decide(user):
        raise PermissionDenied(_("Only a risk officer or an administrator decides on credit models."),
                               code="forbidden_role")
    reason = _clean_reason(reason)
    try:
        return _decide_locked(user, candidate_id, reason, new_status)
    except IntegrityError:
        # Two approvals at once: the partial unique index lets one candidate be live; the other waits.
        raise ApplicationError(_("Another model was approved at the same time; reload the page and decide again."),
                               code="concurrent_approval", status=409) from None


def _decide_locked(user: Any, candidate_id: int, reason: str, new_status: str) -> ModelCandidate:
    with transaction.atomic():
        candidate = ModelCandidate.objects.select_for_update().filter(pk=candidate_id).first()
        if candidate is None:
            raise NotFound(_("No such model candidate."))
        if candidate.status != CandidateStatus.PENDING:
            raise ApplicationError(_("This candidate was already decided (%(s)s).")
                                   % {"s": candidate.get_status_display()}, code="already_decided", status=409)
        retired = None
        if new_status == CandidateStatus.APPROVED:
            retired = ModelCandidate.objects.select_for_update().filter(status=CandidateStatus.APPROVED).first()
            if retired is not None:
                ModelCandidate.objects.filter(pk=retired.pk, status=CandidateStatus.APPROVED).update(
                    status=CandidateStatus.RETIRED)
                record_audit(actor=user, action="model.retire", target=retired, old={"status": "approved"},
                             new={"status": "retired", "replaced_by": candidate.version}, reason=reason)
        now = timezone.now()
        touched = ModelCandidate.objects.filter(pk=candidate.pk, status=CandidateStatus.PENDING).update(
            status=new_status, decided_by=user, decided_at=now, reason=reason)
        if touched != 1:  # pragma: no cover - the row lock makes this unreachable
            raise ApplicationError(_("This candidate was already decided."), code="already_decided", status=409)
        candidate.refresh_from_db()
        record_audit(actor=user, action="model.approve" if new_status == CandidateStatus.APPROVED else "model.reject",
                     target=candidate, old={"status": "pending"},
                     new={"status": new_status, "version": candidate.version,
                          "previous_live": retired.version if retired else None}, reason=reason)
    return candidate


def approve(*, user: Any, candidate_id: int, reason: str) -> ModelCandidate:
    """Make the candidate the live model; the previous live candidate is retired."""
    return _decide(user, candidate_id, reason, "approved")


def reject(*, user: Any, candidate_id: int, reason: str) -> ModelCandidate:
    return _decide(user, candidate_id, reason, "rejected")
