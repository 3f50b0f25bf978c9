"""Members' referral codes: 8 characters of an unambiguous alphabet (31^8, about 8.5e11), random."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import MEMBER_ROLES, STAFF_ROLES
from peerlend.errors import Conflict, PermissionDenied
from peerlend.marketing.coupons.codes import ALPHABET, normalise
from peerlend.marketing.models_referrals import CODE_LENGTH, ReferralCode

_ATTEMPTS = 5


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def can_refer(user: object) -> bool:
    roles = set(getattr(user, "roles", None) or [])
    return bool(roles & MEMBER_ROLES) and not roles & STAFF_ROLES and not getattr(user, "is_superuser", False)


def ensure_code(user: Any) -> ReferralCode:
    """The member's code, given once and kept (a replay returns the same code)."""
    if not can_refer(user):
        raise PermissionDenied(_("only members have a referral code"), code="not_a_member")
    pk = user.pk
    for _attempt in range(_ATTEMPTS):
        existing = ReferralCode.objects.filter(user_id=pk).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(user_id=pk, code=new_code())
        except IntegrityError:  # the same member concurrently, or (rarely) the random code was taken
            continue
    raise Conflict(_("could not create the referral code, try again"), code="referral_code_retry")


def clean_code(raw: str) -> str:
    """What a person typed or a link carried, as stored (upper case, letters and digits only)."""
    return normalise(raw)[:CODE_LENGTH * 2]
