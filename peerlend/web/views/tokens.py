"""The "API tokens" page: a member sees their bearer tokens and revokes one (thin: the work is in accounts.tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerlend.accounts import tokens
from peerlend.accounts.models import User
from peerlend.errors import NotFound


@login_required
@require_GET
def token_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    rows = list(tokens.tokens_of(user)[:200])
    response = render(request, "web/accounts/tokens.html", {"tokens": rows, "now": timezone.now()})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    try:
        tokens.revoke(user, token_id)
    except NotFound:
        raise Http404(_("no such API token")) from None
    messages.success(request, _("The API token was revoked: programs using it must log in again."))
    return redirect("web:api_tokens")
