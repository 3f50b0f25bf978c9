"""The staff page of related parties: flag a member as a related party of the platform, or end the flag.

Operators, compliance officers and administrators. Thin: the forms parse, ``disclosure.monthly.related``
decides (and audits), ``related_selectors`` reads. A GET never writes; a refused change is shown on the
page with its 4xx status, a done one redirects back with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerlend.accounts.models import Role
from peerlend.clock import business_date
from peerlend.disclosure.monthly import related_selectors as selectors
from peerlend.disclosure.monthly.related import end_related_party, flag_related_party
from peerlend.errors import ApplicationError
from peerlend.web.forms_disclosure import RelatedPartyEndForm, RelatedPartyFlagForm

RELATED_PARTY_ROLES = frozenset({Role.OPERATOR, Role.COMPLIANCE, Role.ADMIN})


def _staff(request: HttpRequest) -> None:
    if not RELATED_PARTY_ROLES.intersection(getattr(request.user, "roles", None) or []):
        raise PermissionDenied(_("Only operators, compliance officers and administrators may flag related parties."))


def _page(request: HttpRequest, *, status: int = 200, **context: Any) -> HttpResponse:
    today = business_date()
    context.setdefault("form", RelatedPartyFlagForm(initial={"since": today}))
    return render(request, "web/disclosure_monthly/related_parties.html",
                  {"parties": selectors.related_parties(), "today": today, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def related_parties(request: HttpRequest) -> HttpResponse:
    """The list of current and ended flags, and (POST) flagging a member."""
    _staff(request)
    if request.method != "POST":
        return _page(request)
    form = RelatedPartyFlagForm(request.POST)
    if not form.is_valid():
        return _page(request, form=form, error=_("The member was not flagged: correct the form below."), status=400)
    member = selectors.member_named(form.cleaned_data["username"])
    if member is None:
        form.add_error("username", _("No member has this username."))
        return _page(request, form=form, error=_("The member was not flagged: correct the form below."), status=400)
    try:
        flag_related_party(actor=request.user, user=member, reason=form.cleaned_data["reason"],
                           since=form.cleaned_data["since"])
    except ApplicationError as exc:
        return _page(request, form=form, error=exc.message, status=exc.status)
    messages.success(request, _("%(user)s is flagged as a related party from %(since)s.")
                     % {"user": member.username, "since": form.cleaned_data["since"].isoformat()})
    return redirect("web:related_parties")


@login_required
@require_POST
def related_party_end(request: HttpRequest, flag_id: int) -> HttpResponse:
    """End one member's flag at a date (month-ends on or after it no longer count the member)."""
    _staff(request)
    form = RelatedPartyEndForm(request.POST)
    if not form.is_valid():
        return _page(request, end_form=form, end_flag=flag_id,
                     error=_("The flag was not ended: correct the form of that member."), status=400)
    try:
        flag = selectors.related_party(flag_id)
        end_related_party(actor=request.user, user=flag.user, until=form.cleaned_data["until"],
                          reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        return _page(request, end_form=form, end_flag=flag_id, error=exc.message, status=exc.status)
    messages.success(request, _("The related-party flag of %(user)s ends on %(until)s.")
                     % {"user": flag.user.username, "until": form.cleaned_data["until"].isoformat()})
    return redirect("web:related_parties")
