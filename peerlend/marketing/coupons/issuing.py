"""Issuing coupons: the one service every issuer calls, and the operator's and the points' paths to it.

``issue_coupon`` is idempotent per (member, key): the same key gives back the same coupon; the same
key for another template or source is a 422. Campaigns call it with their own keys and budget.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_role
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError, Conflict, NotFound, Unprocessable
from peerlend.marketing.coupons.codes import new_code
from peerlend.marketing.coupons.rules import check_channel_rule, offline_investment_refusal
from peerlend.marketing.members.points import spend_points
from peerlend.marketing.models_coupons import INVESTMENT_KINDS, Coupon, CouponSource, CouponTemplate

STAFF_ROLES = (Role.OPERATOR, Role.ADMIN)
MAX_KEY = 100
_CODE_ATTEMPTS = 5


def issue_coupon(template: CouponTemplate, user: User, *, source: str, idempotency_key: str,
                 today: date | None = None) -> Coupon:
    """Give ``user`` one coupon of ``template`` (at most once per key); refuses a closed or expired template.

    The O2O rule: the offline channel (an agent, ``source="agent"``) never issues an investment coupon.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ApplicationError(_("an idempotency key of 1 to %(n)d characters is required") % {"n": MAX_KEY},
                               code="idempotency_key_required")
    if source not in CouponSource.values:
        raise ApplicationError(_("unknown coupon source"), code="invalid_coupon_source")
    check_channel_rule(template.kind, template.channel)
    if source == CouponSource.AGENT and template.kind in INVESTMENT_KINDS:
        raise offline_investment_refusal()
    existing = _replay(user, key, template, source)
    if existing is not None:
        return existing
    today = today or business_date()
    if not template.active or today > template.valid_until:
        raise Conflict(_("this coupon is no longer offered"), code="coupon_template_closed")
    for _attempt in range(_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return Coupon.objects.create(
                    template=template, user=user, code=new_code(), kind=template.kind, channel=template.channel,
                    source=source, issue_key=key, issued_on=today, expires_on=template.valid_until,
                )
        except IntegrityError:
            # A concurrent issue with the same key won, or (rarely) the random code was taken: look again.
            existing = _replay(user, key, template, source)
            if existing is not None:
                return existing
    raise Conflict(_("could not issue the coupon, try again"), code="coupon_issue_retry")


def _replay(user: User, key: str, template: CouponTemplate, source: str) -> Coupon | None:
    coupon = Coupon.objects.filter(user=user, issue_key=key).first()
    if coupon is None:
        return None
    if coupon.template_id != template.pk or coupon.source != source:
        raise Unprocessable(_("this idempotency key was used to issue a different coupon"),
                            code="idempotency_key_reused")
    return coupon


def issue_by_operator(actor: User, *, template_id: int, user_id: int, reason: str, idempotency_key: str) -> Coupon:
    """An operator gives a member a coupon (audited with the reason)."""
    require_role(actor, *STAFF_ROLES)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ApplicationError(_("give a reason of at most 500 characters"), code="reason_required",
                               extra={"field": "reason"})
    template = CouponTemplate.objects.filter(pk=template_id).first()
    member = User.objects.filter(pk=user_id).first()
    if template is None or member is None:
        raise NotFound(_("no such coupon template or member"))
    key = f"operator:{idempotency_key}"
    with transaction.atomic():
        before = Coupon.objects.filter(user=member, issue_key=key).exists()
        coupon = issue_coupon(template, member, source=CouponSource.OPERATOR, idempotency_key=key)
        if not before:
            record_audit(actor=actor, action="marketing.coupon_issued", target=coupon, reason=reason,
                         new={"template": template.pk, "member": member.pk, "kind": coupon.kind})
    return coupon


def buy_with_points(user: User, *, template_id: int, idempotency_key: str) -> Coupon:
    """A member spends points on a coupon: the points and the coupon in one transaction, once per key."""
    template = CouponTemplate.objects.filter(pk=template_id, active=True, points_cost__gt=0).first()
    if template is None:
        raise NotFound(_("this coupon cannot be bought with points"), code="coupon_not_for_points")
    if not (idempotency_key or "").strip():
        raise ApplicationError(_("an idempotency key of 1 to %(n)d characters is required") % {"n": MAX_KEY},
                               code="idempotency_key_required")
    key = f"points:{idempotency_key}"
    with transaction.atomic():
        existing = _replay(user, key, template, CouponSource.POINTS)
        if existing is not None:
            return existing
        spend_points(user, template.points_cost, reason="coupon", reference=f"coupon_template:{template.pk}",
                     idempotency_key=key)
        return issue_coupon(template, user, source=CouponSource.POINTS, idempotency_key=key)
