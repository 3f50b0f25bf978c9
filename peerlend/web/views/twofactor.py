"""Staff two-factor pages: enrol an authenticator app, enter a code after logging in, backup codes.

Thin: the rules live in ``peerlend.accounts.twofactor``; these pages only show and collect codes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from peerlend.accounts import twofactor
from peerlend.accounts.models import User
from peerlend.errors import ApplicationError


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        help_text=_("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "one-time-code",
                                      "inputmode": "text", "autofocus": True}),
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return "/"


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/accounts/refused.html", {"message": exc.message}, status=exc.status)


def _qr_svg(uri: str) -> str:
    """The provisioning URI as inline SVG markup, drawn here: the secret never leaves the server."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return str(image.to_string(encoding="unicode"))


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    next_url = _safe_next(request)
    if twofactor.is_staff_user(user) and twofactor.has_enrolled(user):
        verified = getattr(user, "is_verified", lambda: False)()
        return redirect("web:two_factor" if verified else "web:two_factor_verify")
    try:
        pending = twofactor.start_enrolment(user)
    except ApplicationError as exc:
        return _refused(request, exc)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        signed = request.POST.get("pending", "")
        try:
            # The key of the page that was sent: a wrong or empty code keeps the one the phone scanned.
            pending = twofactor.pending_enrolment(user, signed)
        except ApplicationError as exc:
            form.add_error(None, exc.message)  # the fresh key above is shown instead
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = twofactor.confirm_enrolment(user, pending.signed, form.cleaned_data["code"])
        except ApplicationError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            return render(request, "web/accounts/two_factor_codes.html",
                          {"codes": codes, "next": next_url, "enrolled": True})
    secret = twofactor.secret_base32(pending.device)
    context: dict[str, Any] = {
        "form": form,
        "next": next_url,
        "pending": pending.signed,
        # Markup made by the qrcode package from our own data (no user input): safe to inline.
        "qr_svg": mark_safe(_qr_svg(twofactor.provisioning_uri(pending.device))),  # noqa: S308
        "secret_groups": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "web/accounts/two_factor_enrol.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    next_url = _safe_next(request)
    if not twofactor.has_enrolled(user):
        return redirect(f"{reverse('web:two_factor_enrol')}?{urlencode({'next': next_url}, safe='/')}")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            device = twofactor.verify(user, form.cleaned_data["code"])
        except ApplicationError as exc:
            form.add_error("code", exc.message)
            status = exc.status
        else:
            otp_login(request, device)
            return redirect(next_url)
    elif form.errors:
        status = 400
    return render(request, "web/accounts/two_factor_verify.html", {"form": form, "next": next_url}, status=status)


@login_required
@require_http_methods(["GET"])
def status(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not twofactor.is_staff_user(user):
        return _refused(request, ApplicationError(str(_("Two-factor enrolment is for staff accounts.")),
                                                  status=403))
    return render(request, "web/accounts/two_factor.html", {
        "enrolled": twofactor.has_enrolled(user),
        "required": twofactor.otp_required(user),
        "backup_codes_left": twofactor.backup_codes_left(user),
    })


@login_required
@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not getattr(user, "is_verified", lambda: False)():
        # Only a session that proved a code may replace the codes (the gate sends the others to verify).
        return redirect("web:two_factor_verify")
    try:
        codes = twofactor.regenerate_backup_codes(user)
    except ApplicationError as exc:
        return _refused(request, exc)
    return render(request, "web/accounts/two_factor_codes.html", {"codes": codes, "next": "/", "enrolled": False})
