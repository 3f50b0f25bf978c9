"""An agent's own staff-performance pages: my members (with tags and contacts), my targets, my commissions.

Thin: ``marketing.staff`` decides. Only an agent of an active service point gets in (403 otherwise); a
member who is not theirs does not exist for them (404). A GET never writes.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from peerlend.accounts.models import ServicePoint, User
from peerlend.accounts.services import require_agent_point
from peerlend.clock import business_date
from peerlend.errors import ApplicationError, NotFound
from peerlend.marketing.models_staff import ContactMethod
from peerlend.marketing.staff import members as staff_members
from peerlend.marketing.staff.labels import METRIC_LABELS, is_amount
from peerlend.marketing.staff.metrics import METRICS
from peerlend.marketing.staff.months import first_day, parse_month
from peerlend.marketing.staff.report import agent_progress
from peerlend.marketing.staff.statement import agent_statement
from peerlend.web.forms_lending import _BootstrapForm


class TagForm(_BootstrapForm):
    tag = forms.CharField(label=gettext_lazy("Tag"), max_length=32)


class ContactForm(_BootstrapForm):
    method = forms.ChoiceField(label=gettext_lazy("How"), choices=ContactMethod.choices)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=staff_members.MAX_NOTE,
                           widget=forms.Textarea(attrs={"rows": 2}))


def _agent(request: HttpRequest) -> tuple[User, ServicePoint | None, HttpResponse | None]:
    agent: User = request.user  # type: ignore[assignment]
    try:
        return agent, require_agent_point(agent), None
    except ApplicationError as exc:
        return agent, None, render(request, "web/staff/refused.html", {"message": exc.message}, status=exc.status)


@login_required
@require_GET
def my_members(request: HttpRequest) -> HttpResponse:
    agent, point, refused = _agent(request)
    if refused is not None:
        return refused
    return render(request, "web/staff/my_members.html", {
        "point": point, "rows": staff_members.member_rows(agent), "methods": ContactMethod.choices})


@login_required
@require_GET
def my_member(request: HttpRequest, member_id: int) -> HttpResponse:
    agent, point, refused = _agent(request)
    if refused is not None:
        return refused
    try:
        member = staff_members.my_member(agent, member_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(request, "web/staff/my_member.html", {
        "point": point, "member": member, "tags": member.marketing_tags.all(),
        "contacts": staff_members.contacts_of(agent, member.pk), "tag_form": TagForm(),
        "contact_form": ContactForm(), "templates": staff_members.offerable_templates()})


def _act(request: HttpRequest, member_id: int, done: str, action: object) -> HttpResponse:
    agent, _point, refused = _agent(request)
    if refused is not None:
        return refused
    try:
        action(agent)  # type: ignore[operator]
    except NotFound as exc:
        raise Http404(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("web:agent_my_member", member_id=member_id)


@login_required
@require_POST
def tag_member(request: HttpRequest, member_id: int) -> HttpResponse:
    tag = request.POST.get("tag", "")
    return _act(request, member_id, _("Tag added."),
                lambda agent: staff_members.add_tag(agent=agent, member_id=member_id, tag=tag))


@login_required
@require_POST
def log_contact(request: HttpRequest, member_id: int) -> HttpResponse:
    method, note = request.POST.get("method", ""), request.POST.get("note", "")
    return _act(request, member_id, _("Contact logged."),
                lambda agent: staff_members.log_contact(agent=agent, member_id=member_id, method=method, note=note))


@login_required
@require_POST
def send_coupon(request: HttpRequest, member_id: int) -> HttpResponse:
    try:
        template_id = int(request.POST.get("template", ""))
    except ValueError:
        template_id = 0

    def send(agent: User) -> None:
        _coupon, new = staff_members.send_coupon(agent=agent, member_id=member_id, template_id=template_id)
        if not new:
            raise ApplicationError(_("You gave this member that coupon already."), code="coupon_already_sent")

    return _act(request, member_id, _("Coupon sent to the member."), send)


@login_required
@require_GET
def my_targets(request: HttpRequest) -> HttpResponse:
    agent, point, refused = _agent(request)
    if refused is not None:
        return refused
    try:
        text = request.GET.get("month")
        month = parse_month(text) if text else first_day(business_date())
    except ApplicationError as exc:
        return render(request, "web/staff/refused.html", {"message": exc.message}, status=exc.status)
    progress = agent_progress(agent.pk, month, as_of=business_date())
    rows = [(METRIC_LABELS[m], is_amount(m), progress[m]) for m in METRICS]
    return render(request, "web/staff/my_targets.html", {"point": point, "month": month, "rows": rows})


@login_required
@require_GET
def my_commissions(request: HttpRequest) -> HttpResponse:
    agent, _point, refused = _agent(request)
    if refused is not None:
        return refused
    lines = agent_statement(agent.pk)
    return render(request, "web/staff/commissions.html", {
        "lines": lines, "total": sum(line.commission.amount_minor for line in lines), "agent": agent,
        "month": None})
