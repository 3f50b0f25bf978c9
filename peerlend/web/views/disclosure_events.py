"""Risk-event notices and filing information: the public pages, and the operator's drafts and publishing.

Thin: forms parse, services decide, selectors read. A GET never writes.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peerlend.disclosure.events import selectors, services
from peerlend.disclosure.events.about import about
from peerlend.errors import ApplicationError, NotFound
from peerlend.web.forms_disclosure import RiskEventForm


@require_GET
def events(request: HttpRequest) -> HttpResponse:
    return render(request, "web/disclosure_public/events.html", {"events": selectors.published_events()})


@require_GET
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    try:
        event = selectors.published_event(event_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(request, "web/disclosure_public/event_detail.html",
                  {"event": event, "follow_ups": selectors.public_follow_ups(event)})


@require_GET
def about_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/disclosure_public/about.html", {"about": about()})


def _operator(request: HttpRequest) -> None:
    if not selectors.is_event_staff(request.user):
        raise DjangoPermissionDenied(_("This page is for operators."))


@login_required
def operator_events(request: HttpRequest) -> HttpResponse:
    """The operator's list of notices and the form of a new draft."""
    _operator(request)
    form = RiskEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.draft_event(actor=request.user, data=form.to_input())  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error(exc.extra.get("field") if exc.extra.get("field") in form.fields else None, exc.message)
        else:
            messages.success(request, _("Notice %(id)s saved as a draft; publish it when it is final.")
                             % {"id": event.pk})
            return redirect("web:risk_event_admin")
    return render(request, "web/disclosure_public/operator_events.html",
                  {"form": form, "events": selectors.all_events()})


@login_required
def operator_event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    """Edit a draft; a published notice is shown read-only (corrections are follow-ups)."""
    _operator(request)
    try:
        event = selectors.staff_event(event_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    initial = {"title": event.title, "body": event.body, "language": event.language, "category": event.category,
               "severity": event.severity, "occurred_on": event.occurred_on, "follows": event.follows_id}
    form = RiskEventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_draft(actor=request.user, event_id=event.pk,  # type: ignore[arg-type]
                                  data=form.to_input())
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:risk_event_edit", event_id=event.pk)
        messages.success(request, _("Draft saved."))
        return redirect("web:risk_event_edit", event_id=event.pk)
    return render(request, "web/disclosure_public/operator_event_edit.html", {"form": form, "event": event})


@login_required
@require_POST
def operator_event_publish(request: HttpRequest, event_id: int) -> HttpResponse:
    _operator(request)
    try:
        services.publish_event(actor=request.user, event_id=event_id)  # type: ignore[arg-type]
    except NotFound as exc:
        raise Http404(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("web:risk_event_admin")
    messages.success(request, _("Notice %(id)s is published on the disclosure page; every investor is told in "
                                "their inbox.") % {"id": event_id})
    return redirect("web:risk_event_admin")
