"""Members set their own passwords: the welcome link after in-person registration, and password reset.

Both use Django's password-reset token (``default_token_generator``): it is signed with the
member's current password hash and last login, so it works once (setting the password changes the
hash) and expires after ``PASSWORD_RESET_TIMEOUT``. The link goes to the member by e-mail and SMS
through the outbox (``accounts.messaging``), after commit; the agent who registered the member
never sees it, and no page shows it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from peerlend.accounts import messaging
from peerlend.accounts.models import SendThrottle, User

RESET_REQUESTS_PER_HOUR = 3  # reset messages per member and hour: nobody floods a member with SMS
RESET_WINDOW = timedelta(hours=1)


def site_url() -> str:
    """Where links in messages point (``PEERLEND_SITE_URL``; the local server by default)."""
    return str(getattr(settings, "PEERLEND_SITE_URL", "") or "http://127.0.0.1:8000").rstrip("/")


def password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return site_url() + reverse("web:password_set", kwargs={"uidb64": uid, "token": token})


def send_welcome_link(user: User) -> list[str]:
    """Send a new in-person member the link to choose their password; returns the channels used.

    Refuses (400 ``no_contact``) when the member has neither an e-mail address nor a mobile number.
    """
    with override(user.language or None):
        subject = _("Welcome to peerlend: choose your password")
        body = _("Your account %(username)s was opened at a service point. Choose your password here "
                 "(the link works once): %(link)s") % {"username": user.username, "link": password_link(user)}
    return messaging.send(user, event_key=f"welcome:{user.pk}:{secrets.token_hex(4)}", subject=subject, body=body,
                          channels=(messaging.EMAIL, messaging.SMS))


@transaction.atomic
def request_password_reset(login: str) -> None:
    """Send a reset link to the active member whose username or e-mail is ``login``.

    Answers the same whether or not anybody matched, so the form does not tell who is a member. At
    most ``RESET_REQUESTS_PER_HOUR`` links per member and hour, however they asked (username or
    address) and whichever process answered.
    """
    login = (login or "").strip()[:254]
    if not login:
        return
    user = (User.objects.filter(is_active=True, username__iexact=login).first()
            or User.objects.filter(is_active=True, email__iexact=login).order_by("pk").first())
    if user is None or not {messaging.EMAIL, messaging.SMS} & set(messaging.reachable_channels(user)):
        return
    if not take_send_slot(f"pwreset:{user.pk}", RESET_REQUESTS_PER_HOUR, RESET_WINDOW):
        return  # the same answer: the page must not tell that the limit was reached either
    with override(user.language or None):
        subject = _("Reset your peerlend password")
        body = _("Somebody asked to reset the password of %(username)s. If it was you, choose a new password "
                 "here (the link works once): %(link)s. Otherwise ignore this message.") % {
            "username": user.username, "link": password_link(user)}
    messaging.send(user, event_key=f"reset:{user.pk}:{secrets.token_hex(4)}", subject=subject, body=body,
                   channels=(messaging.EMAIL, messaging.SMS))


def take_send_slot(key: str, limit: int, window: timedelta, *, now: datetime | None = None) -> bool:
    """Count one message for ``key``; False when ``limit`` were already counted in the current window.

    The counter is a database row, so every process shares it, and each step is a single conditional
    UPDATE (compare-and-set): two concurrent requests never both take the last slot.
    """
    now = now or timezone.now()
    rows = SendThrottle.objects.filter(key=key)
    if rows.filter(window_started_at__lte=now - window).update(window_started_at=now, count=1):
        return True  # the old window had passed: this request starts a new one
    if rows.filter(count__lt=limit).update(count=F("count") + 1):
        return True
    if rows.exists():
        return False
    _row, created = SendThrottle.objects.get_or_create(key=key, defaults={"window_started_at": now, "count": 1})
    # Lost a race to create the row: count on the row the other request made.
    return created or bool(rows.filter(count__lt=limit).update(count=F("count") + 1))
