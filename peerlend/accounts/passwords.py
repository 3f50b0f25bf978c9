"""Members set their own passwords: the welcome link after in-person registration, and password reset.

Both use Django's password-reset token (``default_token_generator``): it is signed with the
member's current password hash and last login, so it works once (setting the password changes the
hash) and expires after ``PASSWORD_RESET_TIMEOUT``. The link goes to the member by e-mail and SMS
through the outbox (``accounts.messaging``), after commit; the agent who registered the member
never sees it, and no page shows it.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import override

from peerlend.accounts import messaging
from peerlend.accounts.models import User


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

    Answers the same whether or not anybody matched, so the form does not tell who is a member.
    """
    login = (login or "").strip()[:254]
    if not login:
        return
    user = (User.objects.filter(is_active=True, username__iexact=login).first()
            or User.objects.filter(is_active=True, email__iexact=login).order_by("pk").first())
    if user is None or not {messaging.EMAIL, messaging.SMS} & set(messaging.reachable_channels(user)):
        return
    with override(user.language or None):
        subject = _("Reset your peerlend password")
        body = _("Somebody asked to reset the password of %(username)s. If it was you, choose a new password "
                 "here (the link works once): %(link)s. Otherwise ignore this message.") % {
            "username": user.username, "link": password_link(user)}
    messaging.send(user, event_key=f"reset:{user.pk}:{secrets.token_hex(4)}", subject=subject, body=body,
                   channels=(messaging.EMAIL, messaging.SMS))
