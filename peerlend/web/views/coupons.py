"""Coupon pages: my coupons (with points purchases and fee discounts), the operator's templates, the agent's redeem.

Thin: forms parse, services decide, selectors read. A GET never writes.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerlend.accounts.models import Role, User
from peerlend.errors import ApplicationError, NotFound
from peerlend.marketing.coupons import issuing, redemption, selectors, templates
from peerlend.web.forms_coupons import IssueForm, RedeemForm, TemplateForm


@login_required
def my_coupons(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(request, "web/coupons/mine.html", {
        "coupons": selectors.coupons_of(user), "shop": selectors.templates_for_points(),
        "open_loans": list(selectors.fee_open_loans_of(user)), "buy_key": uuid.uuid4().hex})


@login_required
@require_POST
def buy(request: HttpRequest, template_id: int) -> HttpResponse:
    key = (request.POST.get("idempotency_key") or "")[:64]
    try:
        coupon = issuing.buy_with_points(request.user, template_id=template_id,  # type: ignore[arg-type]
                                         idempotency_key=key)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Coupon %(code)s is yours.") % {"code": coupon.code})
    return redirect("web:my_coupons")


@login_required
@require_POST
def apply_fee_discount(request: HttpRequest, coupon_id: int) -> HttpResponse:
    coupon = selectors.coupons_of(request.user).filter(pk=coupon_id).first()
    if coupon is None:
        raise Http404(_("no such coupon"))
    try:
        loan_id = int(request.POST.get("loan", ""))
    except ValueError:
        messages.error(request, _("Choose the loan this discount is for."))
        return redirect("web:my_coupons")
    try:
        redemption.apply_fee_discount(request.user, coupon.code, loan_id)  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The discount is attached to loan %(id)s; it is paid back when the loan is "
                                    "disbursed.") % {"id": loan_id})
    return redirect("web:my_coupons")


def _operator(request: HttpRequest) -> None:
    user = request.user
    if not (user.has_role(Role.OPERATOR) or user.has_role(Role.ADMIN)):  # type: ignore[union-attr]
        raise DjangoPermissionDenied(_("This page is for operators."))


@login_required
def operator_templates(request: HttpRequest) -> HttpResponse:
    _operator(request)
    form = TemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = templates.create_template(request.user, form.to_input())  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Coupon template %(name)s saved.") % {"name": template.name})
            return redirect("web:coupon_templates")
    return render(request, "web/coupons/operator.html", {
        "form": form, "templates": selectors.all_templates(),
        "issue_form": IssueForm(initial={"idempotency_key": uuid.uuid4().hex})})


@login_required
@require_POST
def operator_issue(request: HttpRequest) -> HttpResponse:
    _operator(request)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Fill in the template number, the member and a reason."))
        return redirect("web:coupon_templates")
    member = User.objects.filter(username=form.cleaned_data["member"]).first()
    try:
        if member is None:
            raise NotFound(_("no member with this username"))
        coupon = issuing.issue_by_operator(
            request.user, template_id=form.cleaned_data["template"], user_id=member.pk,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"], idempotency_key=form.cleaned_data["idempotency_key"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Coupon %(code)s given to %(member)s.") % {"code": coupon.code,
                                                                              "member": member.username})
    return redirect("web:coupon_templates")


@login_required
@require_POST
def operator_switch(request: HttpRequest, template_id: int) -> HttpResponse:
    _operator(request)
    try:
        templates.set_template_active(request.user, template_id,  # type: ignore[arg-type]
                                      request.POST.get("active") == "1", reason=request.POST.get("reason", "")[:500])
    except NotFound as exc:
        raise Http404(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("web:coupon_templates")


@login_required
def agent_redeem(request: HttpRequest) -> HttpResponse:
    if not request.user.has_role(Role.AGENT):  # type: ignore[union-attr]
        raise DjangoPermissionDenied(_("This page is for service-point agents."))
    form = RedeemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            coupon = redemption.redeem_offline(request.user, form.cleaned_data["code"],  # type: ignore[arg-type]
                                               loan_id=form.cleaned_data.get("loan"))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Coupon %(code)s used.") % {"code": coupon.code})
            return redirect("web:agent_coupon_redeem")
    return render(request, "web/coupons/agent_redeem.html", {"form": form})
