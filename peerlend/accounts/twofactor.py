"""Two-factor authentication (TOTP, with one-time backup codes) for staff accounts.

Staff hold the keys to money and personal data, so a password alone does not open their pages or
API tokens: with ``PEERLEND_STAFF_2FA`` on (the production default) every staff member enrols an
authenticator app and proves a code once per session. A staff member who enrolled is asked even when
the setting is off. Members (borrowers, investors) are never asked. Devices are django-otp's: a lost
phone is reset by an administrator deleting the member's devices in the admin site.
"""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from peerlend.accounts.models import STAFF_ROLES, User
from peerlend.compliance.services import record_audit
from peerlend.errors import ApplicationError, PermissionDenied

BACKUP_CODE_COUNT = 10
_TOTP_DEVICE_NAME = "authenticator"
_BACKUP_DEVICE_NAME = "backup codes"
# Time to scan the QR code and type a code before the offered key must be shown again.
_ENROLMENT_SECONDS = 30 * 60
_ENROLMENT_SALT = "peerlend.accounts.twofactor.enrolment"


def is_staff_user(user: Any) -> bool:
    """Anyone who acts on other people's money or data: a staff role, or Django's staff/superuser flags.

    Service-point agents count: they register members and see their identity documents.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(set(getattr(user, "roles", None) or []) & STAFF_ROLES) or user.is_staff or user.is_superuser


def otp_required(user: Any) -> bool:
    """Whether ``user`` must prove a second factor before staff pages, the admin site or an API token."""
    if not is_staff_user(user):
        return False
    return bool(getattr(settings, "PEERLEND_STAFF_2FA", False)) or user_has_device(user, confirmed=True)


def has_enrolled(user: User) -> bool:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def _require_staff(user: User) -> None:
    if not is_staff_user(user):
        raise PermissionDenied(_("Two-factor enrolment is for staff accounts."), code="not_staff")


@dataclass(frozen=True)
class PendingEnrolment:
    """A key offered to the authenticator app, not stored: ``device`` is unsaved, ``signed`` goes in the form."""

    device: TOTPDevice
    signed: str


def _refuse_enrolment(user: User) -> None:
    _require_staff(user)
    if has_enrolled(user):
        raise ApplicationError(_("Two-factor authentication is already set up for this account."),
                               code="otp_already_enrolled", status=409)


def _enrolment_max_age() -> int:
    return int(getattr(settings, "PEERLEND_OTP_ENROLMENT_SECONDS", _ENROLMENT_SECONDS))


def _pending_device(user: User, key: str) -> TOTPDevice:
    return TOTPDevice(user=user, name=_TOTP_DEVICE_NAME, key=key, confirmed=False)


def start_enrolment(user: User) -> PendingEnrolment:
    """A fresh key to show as a QR code, carried to the confirmation in a signed value; nothing is written.

    The value is signed with the project's secret (salted for this use), bound to the user and
    valid for ``PEERLEND_OTP_ENROLMENT_SECONDS``: the browser carries the key, but cannot choose it.
    """
    _refuse_enrolment(user)
    key = default_key()
    signed = signing.dumps({"user": user.pk, "key": key}, salt=_ENROLMENT_SALT)
    return PendingEnrolment(device=_pending_device(user, key), signed=signed)


def pending_enrolment(user: User, signed: str) -> PendingEnrolment:
    """The enrolment started by ``start_enrolment`` for ``user``; refused (400) if changed, expired or not theirs."""
    _refuse_enrolment(user)
    try:
        payload = signing.loads(signed or "", salt=_ENROLMENT_SALT, max_age=_enrolment_max_age())
    except signing.BadSignature:  # also an expired value (SignatureExpired)
        payload = None
    key = payload.get("key") if isinstance(payload, dict) and payload.get("user") == user.pk else None
    if not isinstance(key, str):
        raise ApplicationError(_("This setup page has expired or was changed. Scan the new QR code below and "
                                 "enter the code your app shows for it."), code="otp_enrolment_invalid", status=400)
    return PendingEnrolment(device=_pending_device(user, key), signed=signed)


def secret_base32(device: TOTPDevice) -> str:
    """The shared secret as an authenticator app expects it when typed in by hand."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def provisioning_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI the QR code carries (issuer from ``OTP_TOTP_ISSUER``)."""
    return str(device.config_url)


def _clean(code: str) -> str:
    return "".join(str(code or "").split()).lower()


def _matching_step(device: TOTPDevice, code: str) -> TOTP | None:
    """The TOTP state at which ``code`` matches the device's key (within its tolerance), or None."""
    token = _clean(code)
    if not (token.isdigit() and len(token) == device.digits):
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return totp if totp.verify(int(token), device.tolerance) else None


def confirm_enrolment(user: User, signed: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Store the confirmed device once a code from the app matches the offered key; returns it and fresh
    backup codes (shown once)."""
    with transaction.atomic():
        # One enrolment at a time per member: two tabs confirming at once make one device, not two.
        User.objects.select_for_update().filter(pk=user.pk).first()
        device = pending_enrolment(user, signed).device
        totp = _matching_step(device, code)
        if totp is None:
            raise ApplicationError(_("That code is not valid. Check the clock of your phone and try again."),
                                   code="otp_invalid")
        # The code that confirmed the key cannot be replayed to pass the login check.
        device.last_t = totp.t()
        device.drift = totp.drift
        device.confirmed = True
        # Unconfirmed devices were made by earlier versions of the enrolment page; this one replaces them.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device.save()
        codes = _replace_backup_codes(user)
        record_audit(actor=user, action="accounts.two_factor_enrolled", target=user,
                     new={"device": device.persistent_id, "backup_codes": len(codes)})
    return device, codes


def _replace_backup_codes(user: User) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=_BACKUP_DEVICE_NAME,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def regenerate_backup_codes(user: User) -> list[str]:
    """New backup codes replace all old ones (audited)."""
    if not has_enrolled(user):
        raise ApplicationError(_("Set up two-factor authentication first."), code="otp_not_enrolled")
    with transaction.atomic():
        codes = _replace_backup_codes(user)
        record_audit(actor=user, action="accounts.two_factor_backup_codes_replaced", target=user,
                     new={"backup_codes": len(codes)})
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(user: User, code: str) -> Any:
    """The device that accepts ``code`` (an app code or a backup code); a refusal says why.

    Six digits are tried against the authenticator, anything else against the backup codes, so a
    typo counts against (and throttles) only the device it was meant for. Each device doubles its
    wait after every failure (django-otp's throttling) and a code is accepted only once.
    """
    token = _clean(code)
    if not token:
        raise ApplicationError(_("Enter the code from your authenticator app."), code="otp_required")
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    throttled = False
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if not isinstance(device, kind):
                continue
            allowed, _why = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(token):
                return device
    if throttled:
        raise ApplicationError(_("Too many wrong codes: wait a little and try again."), code="otp_throttled",
                               status=429)
    raise ApplicationError(_("That code is not valid. Check the clock of your phone and try again."),
                           code="otp_invalid")


def check_token_request(user: User, code: str | None) -> None:
    """Refuse an API token for staff without a valid code (``otp_required`` / ``otp_invalid``, 403)."""
    if not otp_required(user):
        return
    if not has_enrolled(user):
        raise PermissionDenied(_("Set up two-factor authentication on the website first."), code="otp_required")
    if not code:
        raise PermissionDenied(_("Staff accounts need a code from the authenticator app (field \"otp\")."),
                               code="otp_required")
    try:
        verify(user, code)
    except ApplicationError as exc:
        if exc.code == "otp_throttled":
            raise
        raise PermissionDenied(exc.message, code=exc.code) from None
