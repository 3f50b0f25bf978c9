"""Referral pages (issue 15 part 4): the link ``/r/<code>``, the referrer's page, the QR code image.

Thin: the code is created on a POST only (new members get theirs at registration), so every GET
here only reads.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.marketing.referrals import codes, selectors
from peerlend.marketing.referrals.devices import device_hash, remember_device
from peerlend.marketing.referrals.qr import qr_svg


def link_url(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("web:referral_link", args=[code]))


@require_GET
def referral_link(request: HttpRequest, code: str) -> HttpResponse:
    """The shared link: registration with the code filled in (an unknown code is refused by the form)."""
    return redirect(f"{reverse('web:register')}?{urlencode({'ref': codes.clean_code(code)})}")


@login_required
@require_GET
def my_referrals(request: HttpRequest) -> HttpResponse:
    code = selectors.code_of(request.user)
    return render(request, "web/referrals/mine.html", {
        "code": code, "link": link_url(request, code) if code else "", "rows": selectors.my_referrals(request.user),
        "programme": selectors.programme(), "counts": selectors.counts(request.user),
        "can_refer": codes.can_refer(request.user),
    })


@login_required
@require_POST
def create_code(request: HttpRequest) -> HttpResponse:
    """A member registered before referrals gets their code (and this device is remembered as theirs)."""
    try:
        codes.ensure_code(request.user)
    except ApplicationError as exc:
        return render(request, "web/accounts/refused.html", {"message": exc.message}, status=exc.status)
    remember_device(request.user.pk, device_hash(request.META.get("HTTP_USER_AGENT", ""),
                                                 request.META.get("REMOTE_ADDR", "")), business_date())
    messages.success(request, _("Your referral code is ready."))
    return redirect("web:my_referrals")


@login_required
@require_GET
def referral_qr(request: HttpRequest) -> HttpResponse:
    """The QR code of the member's own link, for printing on a poster."""
    code = selectors.code_of(request.user)
    if not code:
        raise Http404(_("You have no referral code yet."))
    response = HttpResponse(qr_svg(link_url(request, code)), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="referral-{code}.svg"'
    return response
