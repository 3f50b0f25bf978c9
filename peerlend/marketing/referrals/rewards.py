"""Deciding a pending referral: reward both sides, or refuse with the reason (run-day step).

A referral qualifies once the referee has a disbursed note (first investment) or a repaid
installment (first repayment), and a verified identity. It is refused when the referee's identity
(resident ID blind index) or bank card (blind index) is the referrer's, or when the referrer already
has ``MONTHLY_CAP`` rewarded referrals this month. Each decision is one transaction under the
referral's and the referrer's code row's locks (so the cap holds under concurrency), and every
award has a key derived from the referral: re-running a day changes nothing.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from peerlend.accounts.models import Identity, User
from peerlend.errors import ApplicationError
from peerlend.lending.models import Note, NoteStatus
from peerlend.marketing.coupons.issuing import issue_coupon
from peerlend.marketing.members.points import award_points
from peerlend.marketing.models_coupons import Coupon, CouponSource, CouponTemplate
from peerlend.marketing.models_members import PointsReason
from peerlend.marketing.models_referrals import (
    Referral,
    ReferralCode,
    ReferralStatus,
    ReferralTrigger,
    RefusalReason,
)
from peerlend.marketing.referrals.config import monthly_cap, rule
from peerlend.servicing.models import Installment, InstallmentStatus

# A note that was disbursed (not funding, not refunded).
DISBURSED = (NoteStatus.ACTIVE, NoteStatus.PAID, NoteStatus.CHARGED_OFF, NoteStatus.SOLD)


def trigger_of(referee_id: int) -> str:
    if Note.objects.filter(investor_id=referee_id, status__in=DISBURSED).exists():
        return ReferralTrigger.FIRST_INVESTMENT
    if Installment.objects.filter(loan__borrower_id=referee_id, status=InstallmentStatus.PAID).exists():
        return ReferralTrigger.FIRST_REPAYMENT
    return ""


def refusal_for(referral: Referral, today: date) -> str:
    ids = {i.user_id: i for i in Identity.objects.filter(user_id__in=[referral.referrer_id, referral.referee_id])}
    mine, theirs = ids.get(referral.referrer_id), ids.get(referral.referee_id)
    if mine is not None and theirs is not None:
        if mine.resident_id_index and mine.resident_id_index == theirs.resident_id_index:
            return RefusalReason.SAME_IDENTITY
        if mine.bank_card_index and mine.bank_card_index == theirs.bank_card_index:
            return RefusalReason.SAME_CARD
    rewarded = Referral.objects.filter(referrer_id=referral.referrer_id, status=ReferralStatus.REWARDED,
                                       decided_on__year=today.year, decided_on__month=today.month).count()
    if rewarded >= monthly_cap():
        return RefusalReason.MONTHLY_CAP
    return ""


def _coupon(setting: str, user: User, key: str) -> Coupon | None:
    template_id = rule(setting)
    template = CouponTemplate.objects.filter(pk=template_id).first() if template_id else None
    if template is None:
        return None
    try:
        # The referral programme is a standing campaign: its coupons carry the campaign source.
        with transaction.atomic():
            return issue_coupon(template, user, source=CouponSource.CAMPAIGN, idempotency_key=key)
    except ApplicationError:  # the template closed or expired: points only
        return None


def _reward(referral: Referral, trigger: str, today: date) -> None:
    base = f"referral:{referral.pk}"
    for user, setting, field in ((referral.referrer, "REFERRER_POINTS", "referrer_points"),
                                 (referral.referee, "REFEREE_POINTS", "referee_points")):
        points = int(rule(setting))
        if points > 0:
            award_points(user, points, reason=PointsReason.REFERRAL, reference=f"referral:{referral.pk}",
                         idempotency_key=f"{base}:{field}")
            setattr(referral, field, points)
    referral.referrer_coupon = _coupon("REFERRER_COUPON_TEMPLATE_ID", referral.referrer, f"{base}:referrer")
    referral.referee_coupon = _coupon("REFEREE_COUPON_TEMPLATE_ID", referral.referee, f"{base}:referee")
    referral.status, referral.trigger, referral.decided_on = ReferralStatus.REWARDED, trigger, today


@transaction.atomic
def decide(referral_id: int, today: date) -> Referral:
    """Reward or refuse one pending referral whose referee qualifies; otherwise leave it pending."""
    referral = Referral.objects.select_for_update().select_related("referrer", "referee").get(pk=referral_id)
    if referral.status != ReferralStatus.PENDING:
        return referral
    trigger = trigger_of(referral.referee_id)
    if not trigger or not Identity.objects.filter(user_id=referral.referee_id).exists():
        return referral
    # The referrer's code row serialises their decisions, so the monthly cap holds under concurrency.
    list(ReferralCode.objects.select_for_update().filter(user_id=referral.referrer_id))
    reason = refusal_for(referral, today)
    if reason:
        referral.status, referral.refusal_reason, referral.trigger, referral.decided_on = (
            ReferralStatus.REFUSED, reason, trigger, today)
    else:
        _reward(referral, trigger, today)
    referral.save()
    return referral


def step_referrals(today: date, size: int) -> int:
    """The run-day step: decide every pending referral (oldest first); returns how many were decided."""
    done = 0
    ids = list(Referral.objects.filter(status=ReferralStatus.PENDING, registered_on__lte=today).order_by("id")
               .values_list("id", flat=True))
    for referral_id in ids:
        if decide(referral_id, today).status != ReferralStatus.PENDING:
            done += 1
    return done
