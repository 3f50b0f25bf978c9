"""The gate in front of every page, the admin site and the session-authenticated API for staff.

A staff member logged in with a password but not yet with a second factor (see
``peerlend.accounts.twofactor``) is sent to enrol (no authenticator yet) or to enter a code; the JSON
API answers 403 ``otp_required``. Bearer tokens are checked where they are issued: a staff member gets
one only with a code (``POST /api/auth/token`` with ``otp``). Needs django-otp's OTPMiddleware first.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from peerlend.accounts import twofactor


def _open_prefixes() -> tuple[str, ...]:
    """Where an unverified staff member may still go: the 2FA pages, log out, the language switch."""
    return (
        reverse("web:two_factor_enrol"),
        reverse("web:two_factor_verify"),
        reverse("web:logout"),
        reverse("admin:logout"),
        "/i18n/",
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class StaffTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path_info.startswith(_open_prefixes()):
            return self.get_response(request)
        is_verified = getattr(user, "is_verified", None)
        if (is_verified is not None and is_verified()) or not twofactor.otp_required(user):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("Staff must confirm a two-factor code first."),
                                 "code": "otp_required"}, status=403)
        page = "web:two_factor_verify" if twofactor.has_enrolled(user) else "web:two_factor_enrol"
        target = f"{reverse(page)}?{urlencode({'next': request.get_full_path()}, safe='/')}"
        if request.headers.get("HX-Request"):
            # htmx would swap the code page into a fragment: ask it to load the whole page instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
