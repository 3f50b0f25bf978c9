"""Recording a sign-up made with a referral code (online form, link, or an agent at a point).

Called in the registration's transaction. A device the referrer used is refused at once (the
referrer sees the reason); identity and bank card are checked when the reward is decided, since a
member verifies their identity after registering.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Role, User
from peerlend.accounts.services import require_role
from peerlend.clock import business_date
from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError
from peerlend.marketing.models_referrals import (
    Referral,
    ReferralChannel,
    ReferralCode,
    ReferralStatus,
    RefusalReason,
)
from peerlend.marketing.referrals.codes import clean_code
from peerlend.marketing.referrals.devices import remember_device, shares_device


def unknown_code() -> ApplicationError:
    return ApplicationError(_("this referral code is not known; check it or leave it empty"),
                            code="unknown_referral_code", extra={"field": "referral_code"})


def referrer_of(raw_code: str) -> ReferralCode | None:
    """The code's owner (read only; forms validate with it before registering)."""
    code = clean_code(raw_code)
    return ReferralCode.objects.filter(code=code).select_related("user").first() if code else None


@transaction.atomic
def record_signup(referee: User, *, code: str, device_hash: str = "", agent: User | None = None,
                  today: date | None = None) -> Referral:
    """Link ``referee`` to the code's owner (once per referee; a replay returns the first link)."""
    today = today or business_date()
    owner = referrer_of(code)
    if owner is None or owner.user_id == referee.pk:
        raise unknown_code()
    existing = Referral.objects.filter(referee=referee).first()
    if existing is not None:
        return existing
    if agent is not None:
        require_role(agent, Role.AGENT)
        device_hash = ""  # the point's device, not the member's (see devices)
    else:
        remember_device(referee.pk, device_hash, today)
    refused = shares_device(owner.user_id, device_hash)
    referral = Referral.objects.create(
        referee=referee, referrer_id=owner.user_id, code=owner.code, device_hash=device_hash,
        channel=ReferralChannel.AGENT if agent is not None else ReferralChannel.ONLINE, agent=agent,
        registered_on=today, status=ReferralStatus.REFUSED if refused else ReferralStatus.PENDING,
        refusal_reason=RefusalReason.SAME_DEVICE if refused else "", decided_on=today if refused else None)
    if agent is not None:
        record_audit(actor=agent, action="marketing.referral_recorded", target=referral,
                     new=_audit_values(referral))
    return referral


def _audit_values(referral: Referral) -> dict[str, Any]:
    return {"referrer": referral.referrer_id, "referee": referral.referee_id, "code": referral.code,
            "status": referral.status}
