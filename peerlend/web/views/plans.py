"""Wealth-plan pages: the public list and detail, joining and leaving, my subscriptions, the operator's plans.

Thin: forms parse, services decide, selectors read. A GET never writes.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peerlend.accounts.models import Role
from peerlend.clock import business_date
from peerlend.errors import ApplicationError, NotFound
from peerlend.investing.plans import selectors, services
from peerlend.investing.questionnaire import GRADE_LETTERS
from peerlend.web.forms_lending import AmountField, _BootstrapForm


class JoinForm(_BootstrapForm):
    amount = AmountField(label=gettext_lazy("Amount (CNY)"))
    reinvest = forms.TypedChoiceField(
        label=gettext_lazy("Interest and repaid principal during lock-in"), coerce=lambda v: v == "reinvest",
        choices=[("reinvest", gettext_lazy("Reinvest in the plan")), ("payout", gettext_lazy("Pay out to my account"))])
    # One key per rendered form: a double submit (or the same key over the API) joins once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class PlanForm(_BootstrapForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=services.MAX_NAME)
    target = AmountField(label=gettext_lazy("Target size (CNY)"))
    subscribe_from = forms.DateField(label=gettext_lazy("Subscription opens (business date)"),
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    subscribe_until = forms.DateField(label=gettext_lazy("Subscription closes (business date)"),
                                      widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    lock_months = forms.IntegerField(label=gettext_lazy("Lock-in (months, 1-36)"), min_value=services.LOCK_MONTHS[0],
                                     max_value=services.LOCK_MONTHS[1])
    exit_months = forms.IntegerField(label=gettext_lazy("Exit period (months, 0-24)"), initial=0,
                                     min_value=services.EXIT_MONTHS[0], max_value=services.EXIT_MONTHS[1])
    rate_low = forms.DecimalField(label=gettext_lazy("Expected annual rate, low (%)"), min_value=0, max_value=36,
                                  decimal_places=2)
    rate_high = forms.DecimalField(label=gettext_lazy("Expected annual rate, high (%)"), min_value=0, max_value=36,
                                   decimal_places=2)
    grades = forms.MultipleChoiceField(label=gettext_lazy("Eligible grades"), widget=forms.CheckboxSelectMultiple,
                                       choices=[(g, g) for g in GRADE_LETTERS])
    max_share_bp = forms.IntegerField(label=gettext_lazy("Maximum share of one loan (basis points, 1-10000)"),
                                      initial=500, min_value=1, max_value=10000)
    min_subscription = AmountField(label=gettext_lazy("Minimum subscription (CNY)"))
    max_subscription = AmountField(label=gettext_lazy("Maximum subscription (CNY)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["grades"].widget.attrs["class"] = "form-check-input"

    def to_input(self) -> services.PlanInput:
        d = self.cleaned_data
        return services.PlanInput(
            name=d["name"], target_minor=d["target"], subscribe_from=d["subscribe_from"],
            subscribe_until=d["subscribe_until"], lock_months=d["lock_months"], exit_months=d["exit_months"],
            expected_rate_low=d["rate_low"] / Decimal(100), expected_rate_high=d["rate_high"] / Decimal(100),
            grades=list(d["grades"]), max_share_bp=d["max_share_bp"], min_subscription_minor=d["min_subscription"],
            max_subscription_minor=d["max_subscription"])


def _join_form() -> JoinForm:
    return JoinForm(initial={"idempotency_key": uuid.uuid4().hex, "reinvest": "reinvest"})


def plan_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/plans/list.html", {"plans": selectors.public_plans()})


def plan_detail(request: HttpRequest, plan_id: int, form: JoinForm | None = None) -> HttpResponse:
    try:
        plan = selectors.plan_for_viewer(plan_id, request.user)
    except NotFound as exc:
        raise Http404(exc.message) from None
    user = request.user
    today = business_date()
    subscription = selectors.subscription_of(user, plan)
    can_join = (plan.status == "open" and plan.subscribe_from <= today <= plan.subscribe_until
                and user.is_authenticated and user.has_role(Role.INVESTOR)  # type: ignore[union-attr]
                and subscription is None)
    return render(request, "web/plans/detail.html", {
        "plan": plan, "subscription": subscription, "can_join": can_join, "form": form or _join_form(),
        "unit": services.note_unit()})


@login_required
@require_POST
def join(request: HttpRequest, plan_id: int) -> HttpResponse:
    form = JoinForm(request.POST)
    if not form.is_valid():
        return plan_detail(request, plan_id, form=form)
    try:
        services.subscribe(investor=request.user, plan_id=plan_id,  # type: ignore[arg-type]
                           amount_minor=form.cleaned_data["amount"], reinvest=form.cleaned_data["reinvest"],
                           idempotency_key=form.cleaned_data["idempotency_key"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("web:wealth_plan", plan_id=plan_id)
    messages.success(request, _("You joined the plan; the amount is frozen in your own account until the plan "
                                "invests it."))
    return redirect("web:my_plan_subscriptions")


@login_required
def my_subscriptions(request: HttpRequest) -> HttpResponse:
    return render(request, "web/plans/mine.html", {"rows": selectors.subscriptions_of(request.user)})


@login_required
@require_POST
def leave(request: HttpRequest, subscription_id: int) -> HttpResponse:
    try:
        services.leave(investor=request.user, subscription_id=subscription_id)  # type: ignore[arg-type]
    except NotFound as exc:  # someone else's subscription does not exist for this member
        raise Http404(exc.message) from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You left the plan; your uninvested plan money is available again."))
    return redirect("web:my_plan_subscriptions")


def _operator(request: HttpRequest) -> None:
    if not selectors.is_plan_staff(request.user):
        raise DjangoPermissionDenied(_("This page is for operators."))


@login_required
def operator_plans(request: HttpRequest) -> HttpResponse:
    _operator(request)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.define_plan(actor=request.user, data=form.to_input())  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Plan %(name)s saved as a draft; open it when its terms are final.")
                             % {"name": plan.name})
            return redirect("web:plan_admin")
    return render(request, "web/plans/operator.html", {"form": form, "plans": selectors.all_plans()})


@login_required
@require_POST
def operator_plan_status(request: HttpRequest, plan_id: int) -> HttpResponse:
    _operator(request)
    action = request.POST.get("action", "")
    try:
        if action == "open":
            services.open_plan(actor=request.user, plan_id=plan_id)  # type: ignore[arg-type]
            messages.success(request, _("The plan is open for subscription."))
        elif action == "close":
            services.close_plan(actor=request.user, plan_id=plan_id,  # type: ignore[arg-type]
                                reason=request.POST.get("reason", "")[:2000])
            messages.success(request, _("The plan is closed; its subscribers' uninvested money was released."))
        else:
            messages.error(request, _("Choose open or close."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("web:plan_admin")
