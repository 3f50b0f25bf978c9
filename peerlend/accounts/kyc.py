"""KYC use cases: a member proves once who they are, as a person or as a company.

What a submitter may learn is limited on purpose (identity enumeration):

- a resident ID (or company credit code) that already verifies another account is not refused
  with a telling message: the submission becomes an ``IdentityReview`` for compliance staff and the
  member hears only that it is under review; while it is open they cannot submit again;
- online submissions are throttled per member (``KYC_ATTEMPTS_PER_DAY`` within 24 hours, 429);
- a bank card already verified for another member is refused without saying whose it is.

Every member is an adult (18+ on the business date, from the resident ID's birth date); for a
company this is the legal representative. ``services.submit_identity`` is the entry point.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerlend.accounts.models import Channel, Identity, IdentityKind, IdentityReview, KycAttempt, ServicePoint, User
from peerlend.clock import business_date
from peerlend.compliance.crypto import blind_index, encrypt_pii
from peerlend.compliance.services import record_audit
from peerlend.domain import validators
from peerlend.domain_errors import domain_message
from peerlend.errors import ApplicationError, Conflict

RESIDENT_ID_INDEX = "resident_id"
ADULT_AGE = 18
ATTEMPT_WINDOW = dt.timedelta(hours=24)

KycResult = Identity | IdentityReview
# What the member hears when the submission goes to review; it never says why.
KYC_UNDER_REVIEW = gettext_lazy("Your details were submitted and are being reviewed by our staff. We will contact "
                                "you when the review is complete.")


@dataclass(frozen=True)
class KycSubmission:
    """Cleaned KYC input. For a company, name / resident ID / mobile are the legal representative's."""

    kind: str
    real_name: str
    resident_id: str
    mobile: str
    bank_card: str
    company_name: str = ""
    credit_code: str = ""


def resident_id_index(resident_id: str) -> str:
    """Blind index of a resident ID (normalised first), for equality lookups without decrypting."""
    return blind_index(resident_id.strip().upper(), purpose=RESIDENT_ID_INDEX)


def bank_card_index(card: str) -> str:
    """Blind index of a (validated, digits-only) bank card number."""
    return blind_index(card, purpose="bank_card")


# -- cleaning -------------------------------------------------------------------------------------


class _FieldErrors:
    """Every field's problem of one submission, so the member sees them all at once (not the first only).

    Raised as one ``ApplicationError``: ``code`` and ``field`` are the first problem's (API clients
    read those), ``errors`` maps each field to its own message and ``codes`` each field to its code.
    """

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}
        self.codes: dict[str, str] = {}

    def add(self, field: str, code: str, message: str) -> None:
        if field not in self.errors:
            self.errors[field] = str(message)
            self.codes[field] = code

    def check(self, field: str, code: str, check: Any, value: Any) -> str:
        try:
            return str(check(value))
        except ApplicationError as exc:
            self.add(field, exc.code, exc.message)
        except ValueError as exc:
            # The domain validators speak plain English: translate at this boundary.
            self.add(field, code, domain_message(exc))
        return ""

    def raise_if_any(self) -> None:
        if not self.errors:
            return
        first = next(iter(self.errors))
        summary = "; ".join(f"{field}: {message}" for field, message in self.errors.items())
        raise ApplicationError(summary, code=self.codes[first],
                               extra={"field": first, "errors": dict(self.errors), "codes": dict(self.codes)})


def _clean_real_name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ApplicationError(_("Enter your real name."), code="invalid_real_name")
    if len(name) > 64:
        raise ApplicationError(_("A real name has at most 64 characters."), code="invalid_real_name")
    if any(ch.isdigit() for ch in name):
        raise ApplicationError(_("A real name has no digits."), code="invalid_real_name")
    return name


def _clean_company_name(value: Any) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ApplicationError(_("Enter the company's registered name."), code="invalid_company_name")
    if len(name) > 120:
        raise ApplicationError(_("A company name has at most 120 characters."), code="invalid_company_name")
    return name


def _require_adult(resident_id: str, today: dt.date, kind: str) -> None:
    age = validators.resident_id_age(resident_id, today)
    if age >= ADULT_AGE:
        return
    if kind == IdentityKind.COMPANY:
        message = _("the legal representative must be at least %(min)d years old (the resident ID shows age "
                    "%(age)d)")
    else:
        message = _("members must be at least %(min)d years old (the resident ID shows age %(age)d)")
    raise ApplicationError(message % {"min": ADULT_AGE, "age": age}, code="underage",
                           extra={"field": "resident_id"})


def clean_submission(*, kind: str, real_name: Any, resident_id: Any, mobile: Any, bank_card: Any,
                     company_name: Any = "", credit_code: Any = "", today: dt.date) -> KycSubmission:
    """Validate every field (formats, check digits, adulthood on ``today``); refuse naming every bad field."""
    if kind not in IdentityKind.values:
        raise ApplicationError(_("kind: must be person or company"), code="invalid_kind", extra={"field": "kind"})
    problems = _FieldErrors()
    name = problems.check("real_name", "invalid_real_name", _clean_real_name, real_name)
    rid = problems.check("resident_id", "invalid_resident_id",
                         lambda v: validators.validate_resident_id(v, today=today), resident_id)
    phone = problems.check("mobile", "invalid_mobile", validators.validate_mobile, mobile)
    card = problems.check("bank_card", "invalid_bank_card", validators.validate_bank_card, bank_card)
    company = code = ""
    if kind == IdentityKind.COMPANY:
        company = problems.check("company_name", "invalid_company_name", _clean_company_name, company_name)
        code = problems.check("credit_code", "invalid_credit_code", validators.validate_credit_code, credit_code)
    elif (company_name or "").strip() or (credit_code or "").strip():
        problems.add("credit_code", "invalid_kind",
                     _("A company name and credit code are only for company verification."))
    if rid:
        problems.check("resident_id", "underage", lambda v: _require_adult(v, today, kind), rid)
    problems.raise_if_any()
    return KycSubmission(kind=kind, real_name=name, resident_id=rid, mobile=phone, bank_card=card,
                         company_name=company, credit_code=code)


# -- state checks ---------------------------------------------------------------------------------


def refuse_if_done_or_pending(user: User) -> None:
    """An account verifies once; while a review is open it cannot submit again (no probing meanwhile)."""
    if Identity.objects.filter(user_id=user.pk).exists():
        raise Conflict(_("this account is already verified"), code="already_verified")
    if IdentityReview.objects.filter(user_id=user.pk, status=IdentityReview.Status.PENDING).exists():
        raise Conflict(_("your verification is being reviewed by our staff; we will contact you"),
                       code="kyc_under_review")


def take_attempt(user: User, now: dt.datetime | None = None) -> None:
    """Count one online submission; refuse (429 ``kyc_throttled``) past the limit within 24 hours.

    Runs in its own transaction before the verification so that a refused submission still counts.
    """
    limit = int(settings.PEERLEND["KYC_ATTEMPTS_PER_DAY"])
    now = now or timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # count and add atomically
        recent = list(KycAttempt.objects.filter(user_id=user.pk, created_at__gt=now - ATTEMPT_WINDOW)
                      .order_by("created_at").values_list("created_at", flat=True))
        if len(recent) >= limit:
            retry = timezone.localtime(recent[len(recent) - limit] + ATTEMPT_WINDOW)
            raise ApplicationError(
                _("too many verification attempts: at most %(limit)d within 24 hours; try again after %(when)s")
                % {"limit": limit, "when": retry.strftime("%Y-%m-%d %H:%M")},
                code="kyc_throttled", status=429,
            )
        KycAttempt.objects.create(user=user, created_at=now)


def _refuse_foreign_card(user: User, card_index: str) -> None:
    if Identity.objects.filter(bank_card_index=card_index).exclude(user_id=user.pk).exists():
        raise Conflict(
            _("This bank card cannot be used for verification; use a card held in your own name."),
            code="bank_card_unusable", extra={"field": "bank_card"},
        )


def _holder(sub: KycSubmission, rid_index: str) -> Identity | None:
    """The identity that already holds this person (or company), if any."""
    if sub.kind == IdentityKind.COMPANY:
        return Identity.objects.filter(kind=IdentityKind.COMPANY, credit_code=sub.credit_code).first()
    return Identity.objects.filter(kind=IdentityKind.PERSON, resident_id_index=rid_index).first()


# -- writing --------------------------------------------------------------------------------------


def _pii(sub: KycSubmission, rid_index: str) -> dict[str, Any]:
    return {
        "kind": sub.kind,
        "company_name": sub.company_name,
        "credit_code": sub.credit_code,
        "real_name_enc": encrypt_pii(sub.real_name),
        "resident_id_enc": encrypt_pii(sub.resident_id),
        "mobile_enc": encrypt_pii(sub.mobile),
        "bank_card_enc": encrypt_pii(sub.bank_card),
        "resident_id_index": rid_index,
        # 张三 -> 张*, 欧阳小明 -> 欧***: the family name stays readable for the member.
        "real_name_masked": sub.real_name[0] + "*" * max(len(sub.real_name) - 1, 1),
        "resident_id_masked": validators.mask_resident_id(sub.resident_id),
        "mobile_masked": validators.mask_mobile(sub.mobile),
        "bank_card_masked": validators.mask_bank_card(sub.bank_card),
    }


def _open_review(user: User, sub: KycSubmission, rid_index: str, holder: Identity | None,
                 agent: User | None, point: ServicePoint | None) -> IdentityReview:
    reason = (IdentityReview.Reason.COMPANY_IN_USE if sub.kind == IdentityKind.COMPANY
              else IdentityReview.Reason.IDENTITY_IN_USE)
    review = IdentityReview.objects.create(
        user=user, reason=reason, existing_user_id=holder.user_id if holder else None,
        channel=Channel.OFFLINE if agent is not None else Channel.ONLINE, submitted_by=agent,
        service_point=point, **_pii(sub, rid_index),
    )
    record_audit(actor=agent or user, action="kyc.review_opened", target=user,
                 new={"review": review.pk, "reason": reason, "kind": sub.kind,
                      "resident_id": review.resident_id_masked, "credit_code": sub.credit_code})
    return review


@transaction.atomic
def submit(user: User, sub: KycSubmission, *, agent: User | None = None,
           point: ServicePoint | None = None, today: dt.date | None = None) -> KycResult:
    """Verify ``user`` with the cleaned submission, or open a review when the identity is taken.

    ``today`` is the business date the verification is recorded on (``verified_on``); by default
    the platform's business date.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()  # one verification per user at a time
    refuse_if_done_or_pending(user)
    card_index = bank_card_index(sub.bank_card)
    _refuse_foreign_card(user, card_index)
    rid_index = resident_id_index(sub.resident_id)
    holder = _holder(sub, rid_index)
    if holder is not None:
        return _open_review(user, sub, rid_index, holder, agent, point)
    try:
        with transaction.atomic():
            identity = Identity.objects.create(
                user=user,
                mobile_index=blind_index(sub.mobile, purpose="mobile"),
                bank_card_index=card_index,
                channel=Channel.OFFLINE if agent is not None else Channel.ONLINE,
                verified_by=agent,
                service_point=point,
                verified_at=timezone.now(),
                verified_on=today or business_date(),
                **_pii(sub, rid_index),
            )
    except IntegrityError:
        # A concurrent verification of the same person or company won the unique index.
        return _open_review(user, sub, rid_index, _holder(sub, rid_index), agent, point)
    if agent is not None:
        record_audit(actor=agent, action="kyc.verified_in_person", target=user,
                     new={"service_point": point.code if point else None, "kind": sub.kind,
                          "resident_id": identity.resident_id_masked, "channel": Channel.OFFLINE})
    return identity


@transaction.atomic
def close_review(actor: User, review_id: int, resolution: str) -> IdentityReview:
    """Compliance staff close an identity review with a written resolution (audited).

    Closing lets the member submit again; contacting the member and the account holder is done
    outside the platform and summarised in the resolution.
    """
    from peerlend.accounts.models import Role
    from peerlend.accounts.services import require_role
    from peerlend.errors import NotFound

    require_role(actor, Role.COMPLIANCE, Role.ADMIN)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ApplicationError(_("a resolution is required for the audit trail"), code="reason_required")
    review = IdentityReview.objects.select_for_update().filter(pk=review_id).first()
    if review is None:
        raise NotFound(_("identity review %(id)s does not exist") % {"id": review_id})
    updated = IdentityReview.objects.filter(pk=review.pk, status=IdentityReview.Status.PENDING).update(
        status=IdentityReview.Status.CLOSED, closed_by=actor, closed_at=timezone.now(), resolution=resolution,
    )
    if updated != 1:
        raise Conflict(_("this review is already closed"), code="review_closed")
    review.refresh_from_db()
    record_audit(actor=actor, action="kyc.review_closed", target=review.user,
                 old={"status": IdentityReview.Status.PENDING}, new={"status": review.status, "review": review.pk},
                 reason=resolution)
    return review
