"""Agents in the field: visits and the field verification (实地认证) of an application; its photos for staff. Thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from peerlend.accounts.consent import at_agents_point
from peerlend.accounts.models import User
from peerlend.accounts.network import fieldwork, selectors
from peerlend.accounts.services import require_agent_point
from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.lending.models import Loan
from peerlend.web.forms_network import PHOTO_ACCEPT, FieldVerificationForm, VisitForm, photos_from


def refuse(exc: ApplicationError) -> None:
    """Access refusals become 403/404 pages; the caller shows any other refusal on its form."""
    if exc.status == 403:
        raise DjangoPermissionDenied(exc.message)
    if exc.status == 404:
        raise Http404(exc.message)


def attach(form: Any, exc: ApplicationError) -> None:
    field = (exc.extra or {}).get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def agent_point(request: HttpRequest) -> Any:
    try:
        return require_agent_point(request.user)
    except ApplicationError as exc:
        raise DjangoPermissionDenied(exc.message) from None


@login_required
@require_http_methods(["GET", "POST"])
def visits(request: HttpRequest) -> HttpResponse:
    point = agent_point(request)
    agent: User = request.user  # type: ignore[assignment]
    form = VisitForm(request.POST or None, initial={"visited_on": business_date()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = User.objects.filter(username=d["member_username"].strip(), is_active=True).first()
        loan = Loan.objects.filter(pk=d["loan_id"]).first() if d.get("loan_id") else None
        try:
            if member is None:
                raise ApplicationError(_("No member with this username."), code="member_not_found",
                                       extra={"field": "member_username"})
            if d.get("loan_id") and loan is None:
                raise ApplicationError(_("No such loan."), code="loan_required", extra={"field": "loan_id"})
            fieldwork.record_visit(agent, member=member, purpose=d["purpose"], notes=d["notes"],
                                   visited_on=d["visited_on"], loan=loan)
        except ApplicationError as exc:
            attach(form, exc)  # a member of another point is refused on the form, like an unknown one
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("web:agent_visits")
    return render(request, "web/network/visits.html",
                  {"form": form, "point": point, "visits": selectors.visits_by(agent)},
                  status=400 if form.errors else 200)


def _loan_of_point(request: HttpRequest, loan_id: int) -> Loan:
    agent_point(request)
    loan = Loan.objects.select_related("borrower").filter(pk=loan_id).first()
    if loan is None:
        raise Http404(_("No such loan."))
    if loan.borrower_id == request.user.pk or not at_agents_point(request.user, loan.borrower):  # type: ignore[arg-type]
        raise DjangoPermissionDenied(_("this member was not registered or verified at your service point"))
    return loan


@login_required
@require_http_methods(["GET", "POST"])
def field_verification(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = _loan_of_point(request, loan_id)
    form = FieldVerificationForm(request.POST or None, initial={"visited_on": business_date()})
    if request.method == "POST" and form.is_valid():
        try:
            fieldwork.record_field_verification(
                request.user, loan=loan, checks=form.checks(), result=form.cleaned_data["result"],  # type: ignore[arg-type]
                notes=form.cleaned_data["notes"], photos=photos_from(request.FILES),
                visited_on=form.cleaned_data["visited_on"])
        except ApplicationError as exc:
            refuse(exc)
            attach(form, exc)
        else:
            messages.success(request, _("Field verification recorded; the risk officer sees it on the review page."))
            return redirect("web:agent_field_verification", loan_id=loan.pk)
    return render(request, "web/network/field_verification.html", {
        "loan": loan, "form": form, "accept": PHOTO_ACCEPT, "verifications": selectors.verifications_of_loan(loan.pk),
        "under_review": str(loan.status) in fieldwork.IN_REVIEW}, status=400 if form.errors else 200)


@login_required
@require_GET
def field_photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """Field photos are shown to staff who read loans and to the agent who took them, never publicly."""
    photo = selectors.photo_for_viewer(photo_id, request.user)
    if photo is None:
        raise Http404(_("No such photo."))
    return FileResponse(open(fieldwork.photo_path(photo), "rb"), content_type=photo.content_type,
                        as_attachment=False, filename=photo.original_name)
