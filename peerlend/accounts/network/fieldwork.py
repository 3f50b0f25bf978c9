"""What agents record in the field (issue 15 part 6): visits, and the field verification (实地认证) of an application.

An agent acts only for members registered or verified at one of their own active points
(``accounts.consent.at_agents_point``). Loans come in from the caller (the page reads them
through lending): this layer reads only their borrower and status, never imports lending.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.consent import at_agents_point
from peerlend.accounts.models import ServicePoint, User
from peerlend.accounts.network.models import (
    MAX_NOTES,
    MAX_PHOTOS,
    CheckItem,
    CheckResult,
    FieldCheck,
    FieldPhoto,
    FieldResult,
    FieldVerification,
    PointVisit,
    VisitPurpose,
)
from peerlend.accounts.services import require_agent_point
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError, PermissionDenied

# Photos are stored like loan documents (private storage, random names), images only, 1 byte to 5 MB.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg": (".jpg", b"\xff\xd8\xff"), "image/png": (".png", b"\x89PNG\r\n\x1a\n")}
# Loan statuses in which an application can be verified in the field, and those of a disbursed loan.
IN_REVIEW = frozenset({"submitted", "under_review", "documents_requested"})
DISBURSED = frozenset({"current", "late", "defaulted", "charged_off"})
LOAN_PURPOSES = frozenset({VisitPurpose.FOLLOW_UP, VisitPurpose.COLLECTION})


@dataclass(frozen=True)
class Photo:
    name: str
    content_type: str
    content: bytes


def _require_member_of_point(agent: User, member: Any) -> ServicePoint:
    point = require_agent_point(agent)
    if member is None or member.pk == agent.pk or not at_agents_point(agent, member):
        raise PermissionDenied(_("this member was not registered or verified at your service point"),
                               code="member_not_at_point")
    return point


def _notes(text: str, limit: int = MAX_NOTES) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ApplicationError(_("notes are limited to %(n)s characters") % {"n": limit}, code="notes_too_long",
                               extra={"field": "notes"})
    return text


def _visit_date(visited_on: date | None) -> date:
    today = business_date()
    visited_on = visited_on or today
    if visited_on > today:
        raise ApplicationError(_("a visit cannot be dated in the future"), code="visit_in_future",
                               extra={"field": "visited_on"})
    return visited_on


@transaction.atomic
def record_visit(agent: User, *, member: Any, purpose: str, notes: str = "", visited_on: date | None = None,
                 loan: Any = None) -> PointVisit:
    """Record a visit to a member of the agent's point; follow-up and collection visits name a disbursed loan."""
    if purpose not in VisitPurpose.values:
        raise ApplicationError(_("choose the purpose of the visit"), code="invalid_purpose", extra={"field": "purpose"})
    point = _require_member_of_point(agent, member)
    if purpose in LOAN_PURPOSES:
        if loan is None or loan.borrower_id != member.pk:
            raise ApplicationError(_("a follow-up or collection visit names one of the member's loans"),
                                   code="loan_required", extra={"field": "loan_id"})
        if str(loan.status) not in DISBURSED:
            raise ApplicationError(_("follow-up visits are for disbursed loans"), code="loan_not_disbursed",
                                   extra={"field": "loan_id"})
    elif loan is not None and loan.borrower_id != member.pk:
        raise ApplicationError(_("this loan is not the member's"), code="loan_required", extra={"field": "loan_id"})
    visit = PointVisit.objects.create(service_point=point, agent=agent, member=member, purpose=purpose,
                                      notes=_notes(notes), visited_on=_visit_date(visited_on), loan=loan)
    record_audit(actor=agent, action="accounts.point_visit_recorded", target=visit,
                 new={"member": member.username, "purpose": purpose, "loan": getattr(loan, "pk", None),
                      "point": point.code, "visited_on": visit.visited_on})
    return visit


def _checked_photos(photos: list[Photo]) -> list[tuple[Photo, str]]:
    if len(photos) > MAX_PHOTOS:
        raise ApplicationError(_("at most %(n)s photos") % {"n": MAX_PHOTOS}, code="invalid_photo",
                               extra={"field": "photos"})
    out = []
    for photo in photos:
        kind = PHOTO_TYPES.get(photo.content_type)
        if kind is None or not photo.content.startswith(kind[1]):
            raise ApplicationError(_("photos must be JPEG or PNG images"), code="invalid_photo",
                                   extra={"field": "photos"})
        if not photo.content or len(photo.content) > MAX_PHOTO_BYTES:
            raise ApplicationError(_("a photo must be between 1 byte and 5 MB"), code="invalid_photo",
                                   extra={"field": "photos"})
        out.append((photo, kind[0]))
    return out


def photo_path(photo: FieldPhoto) -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "field-photos" / photo.stored_name


@transaction.atomic
def record_field_verification(agent: User, *, loan: Any, checks: dict[str, tuple[str, str]], result: str,
                              notes: str = "", photos: list[Photo] | None = None,
                              visited_on: date | None = None) -> FieldVerification:
    """实地认证 of an application under review: each item's result, photos, the overall result (audited).

    ``checks`` maps each item (residence, workplace, income, collateral) to (result, notes).
    """
    point = _require_member_of_point(agent, getattr(loan, "borrower", None))
    if str(loan.status) not in IN_REVIEW:
        raise ApplicationError(_("field verification is for applications still under review"),
                               code="not_under_review")
    if result not in FieldResult.values:
        raise ApplicationError(_("choose the overall result"), code="invalid_result", extra={"field": "result"})
    if set(checks) != set(CheckItem.values) or any(r not in CheckResult.values for r, _n in checks.values()):
        raise ApplicationError(_("give a result for every item checked"), code="invalid_checks")
    if result == FieldResult.PASS and all(r == CheckResult.NOT_CHECKED for r, _n in checks.values()):
        raise ApplicationError(_("a pass needs at least one item confirmed"), code="invalid_result",
                               extra={"field": "result"})
    checked = _checked_photos(photos or [])
    verification = FieldVerification.objects.create(loan=loan, service_point=point, agent=agent, result=result,
                                                    notes=_notes(notes), visited_on=_visit_date(visited_on))
    FieldCheck.objects.bulk_create([
        FieldCheck(verification=verification, item=item, result=r, notes=_notes(n, 500))
        for item, (r, n) in sorted(checks.items())])
    root = Path(settings.PRIVATE_STORAGE_ROOT) / "field-photos"
    root.mkdir(parents=True, exist_ok=True)
    for photo, suffix in checked:
        stored = secrets.token_hex(16) + suffix
        (root / stored).write_bytes(photo.content)
        FieldPhoto.objects.create(verification=verification, original_name=Path(photo.name).name[:200] or "photo",
                                  stored_name=stored, content_type=photo.content_type, size_bytes=len(photo.content),
                                  sha256=hashlib.sha256(photo.content).hexdigest())
    record_audit(actor=agent, action="accounts.field_verification_recorded", target=verification,
                 new={"loan": loan.pk, "result": result, "point": point.code, "photos": len(checked),
                      "checks": {item: r for item, (r, _n) in checks.items()}})
    return verification
