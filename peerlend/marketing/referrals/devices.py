"""The sign-up device, as a keyed hash: HMAC-SHA256 (key: SECRET_KEY) of the user agent and IP address.

No cookie and no raw value is stored. Two members on one phone and network get the same hash, which
is what the self-referral rule looks for; an agent's registration at a point has no device hash (the
point's shared tablet would make every referral there look like a self-referral).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction

from peerlend.marketing.models_referrals import MemberDevice

MAX_UA = 512


def device_hash(user_agent: str, ip: str) -> str:
    if not user_agent and not ip:
        return ""
    message = f"{(user_agent or '')[:MAX_UA]}|{ip or ''}".encode()
    return hmac.new(f"referral-device:{settings.SECRET_KEY}".encode(), message, hashlib.sha256).hexdigest()


def remember_device(user_id: int, digest: str, today: date) -> None:
    """Record that this member used this device (once)."""
    if not digest:
        return
    try:
        with transaction.atomic():
            MemberDevice.objects.get_or_create(user_id=user_id, device_hash=digest,
                                               defaults={"first_seen_on": today})
    except IntegrityError:  # a concurrent request recorded it first
        pass


def shares_device(user_id: int, digest: str) -> bool:
    return bool(digest) and MemberDevice.objects.filter(user_id=user_id, device_hash=digest).exists()
