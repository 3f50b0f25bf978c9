"""Who an agent may file a loan application for (DESIGN.md, O2O).

An agent files only for a member registered or verified in person at one of the agent's active
service points, or with the member's one-time consent code: the agent asks for one, the code goes
to the member alone (SMS, e-mail, through the outbox after commit) and the member reads it out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from peerlend.accounts import messaging
from peerlend.accounts.models import ConsentCode, Identity, Role, User
from peerlend.accounts.selectors import active_points_of
from peerlend.compliance.services import record_audit
from peerlend.errors import NotFound, PermissionDenied

CODE_DIGITS = 6


def code_minutes() -> int:
    return max(1, int(getattr(settings, "PEERLEND_CONSENT_CODE_MINUTES", 15)))


def max_tries() -> int:
    return max(1, int(getattr(settings, "PEERLEND_CONSENT_CODE_MAX_TRIES", 5)))


def _digest(code_id: int, code: str) -> str:
    # Keyed by the secret key and the row: a leaked table does not give codes for free.
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"consent:{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def at_agents_point(agent: User, member: User) -> bool:
    """True when ``member`` was registered or verified in person at one of ``agent``'s active points."""
    point_ids = set(active_points_of(agent).values_list("pk", flat=True))
    if not point_ids:
        return False
    if member.registered_point_id in point_ids:
        return True
    return Identity.objects.filter(user=member, service_point_id__in=point_ids).exists()


@transaction.atomic
def request_consent_code(agent: User, username: str) -> User:
    """Send ``username`` a one-time code that lets ``agent`` file one application for them (audited).

    A new request replaces the agent's open codes for that member.
    """
    from peerlend.accounts.services import require_agent_point

    point = require_agent_point(agent)
    member = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if member is None or not member.has_role(Role.BORROWER):
        raise NotFound(_("No member with this username."), code="member_not_found",
                       extra={"field": "member_username"})
    if member.pk == agent.pk:
        raise PermissionDenied(_("an agent cannot file an application for themselves"), code="self_dealing")
    now = timezone.now()
    ConsentCode.objects.filter(member=member, agent=agent, used_at__isnull=True).update(used_at=now)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    row = ConsentCode.objects.create(member=member, agent=agent, service_point=point, digest="",
                                     created_at=now, expires_at=now + dt.timedelta(minutes=code_minutes()))
    ConsentCode.objects.filter(pk=row.pk).update(digest=_digest(row.pk, code))
    with override(member.language or None):
        subject = _("Consent code for a loan application")
        body = _("%(point)s (agent %(agent)s) asks to file a loan application for you. If you agree, read this "
                 "code to the agent: %(code)s. It works once, for %(minutes)s minutes. Never give it to anyone "
                 "else.") % {"point": point.name, "agent": agent.username, "code": code, "minutes": code_minutes()}
    messaging.send(member, event_key=f"consent:{row.pk}", subject=subject, body=body,
                   channels=(messaging.SMS, messaging.EMAIL, messaging.INBOX))
    record_audit(actor=agent, action="accounts.consent_code_requested", target=member,
                 new={"service_point": point.code})
    return member


def check_consent_code(agent: User, member: User, code: str) -> int:
    """Check the member's code for this agent; returns the code's id for :func:`consume`.

    A wrong code counts against the code (committed even when the caller rolls back: it runs in its
    own transaction, so call it outside the caller's atomic block); refused ``consent_invalid``.
    """
    code = (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        row = (ConsentCode.objects.select_for_update()
               .filter(member=member, agent=agent, used_at__isnull=True, expires_at__gt=now)
               .order_by("-pk").first())
        ok = (row is not None and row.failed_tries < max_tries() and code.isdigit()
              and hmac.compare_digest(row.digest, _digest(row.pk, code)))
        if row is not None and not ok:
            ConsentCode.objects.filter(pk=row.pk).update(failed_tries=row.failed_tries + 1)
    if not ok or row is None:
        raise PermissionDenied(
            _("the member's consent code is wrong or expired: ask for a new one"), code="consent_invalid",
            extra={"field": "consent_code"})
    return row.pk


def consume(code_id: int) -> None:
    """Use the code up (compare-and-set, in the caller's transaction: a refused application keeps it)."""
    if ConsentCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=timezone.now()) != 1:
        raise PermissionDenied(_("the member's consent code was used already: ask for a new one"),
                               code="consent_invalid", extra={"field": "consent_code"})


def authorize_filing(agent: User, member: User, consent_code: str = "") -> int | None:
    """Refuse (403) unless ``agent`` may file for ``member``; returns a consent code's id to consume, if any."""
    if at_agents_point(agent, member):
        return None
    if not (consent_code or "").strip():
        raise PermissionDenied(
            _("this member was not registered or verified at your service point: ask them for a consent code"),
            code="consent_required", extra={"field": "consent_code"})
    return check_consent_code(agent, member, consent_code)
