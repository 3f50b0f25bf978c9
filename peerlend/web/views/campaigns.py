"""Operators' campaign pages: list and define, one campaign with its results, run now, cancel.

Thin: forms parse, services decide, selectors read. A GET never writes.
"""

from __future__ import annotations

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

from peerlend.errors import ApplicationError
from peerlend.marketing.campaigns import selectors, services
from peerlend.marketing.models_campaigns import (
    MAX_CAMPAIGN_BUDGET,
    MAX_CAMPAIGN_POINTS,
    MAX_LAPSED_DAYS,
    MAX_MESSAGE,
    MAX_TAG,
    CampaignReward,
    CampaignSegment,
)
from peerlend.marketing.models_coupons import CouponTemplate
from peerlend.web.forms_lending import AmountField, _BootstrapForm


class CampaignForm(_BootstrapForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=services.MAX_NAME)
    segment = forms.ChoiceField(label=gettext_lazy("Segment"), choices=CampaignSegment.choices)
    lapsed_days = forms.IntegerField(label=gettext_lazy("Days without investment (lapsed investors)"),
                                     min_value=1, max_value=MAX_LAPSED_DAYS, initial=90)
    tag = forms.CharField(label=gettext_lazy("Tag (members with an agent's tag)"), max_length=MAX_TAG,
                          required=False)
    reward = forms.ChoiceField(label=gettext_lazy("Reward"), choices=CampaignReward.choices)
    points = forms.IntegerField(label=gettext_lazy("Points per member"), min_value=1,
                                max_value=MAX_CAMPAIGN_POINTS, required=False)
    coupon_template = forms.ModelChoiceField(label=gettext_lazy("Coupon template"), required=False,
                                             queryset=CouponTemplate.objects.filter(active=True, value_minor__gt=0))
    budget_points = forms.IntegerField(label=gettext_lazy("Budget in points (points reward)"), min_value=1,
                                       max_value=MAX_CAMPAIGN_BUDGET, required=False)
    budget_amount = AmountField(label=gettext_lazy("Budget in CNY of coupon value (coupon reward)"),
                                required=False, max_minor=MAX_CAMPAIGN_BUDGET)
    message = forms.CharField(label=gettext_lazy("Message (in-app, e-mail and SMS)"), max_length=MAX_MESSAGE,
                              widget=forms.Textarea(attrs={"rows": 3}))
    run_on = forms.DateField(label=gettext_lazy("Run on"),
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("reward") == CampaignReward.POINTS and not data.get("budget_points"):
            self.add_error("budget_points", _("Give the budget in points."))
        if data.get("reward") == CampaignReward.COUPON and not data.get("budget_amount"):
            self.add_error("budget_amount", _("Give the budget in CNY."))
        return data

    def to_input(self) -> services.CampaignInput:
        d = self.cleaned_data
        points = d["reward"] == CampaignReward.POINTS
        template = d.get("coupon_template")
        return services.CampaignInput(
            name=d["name"], segment=d["segment"], reward=d["reward"], message=d["message"], run_on=d["run_on"],
            budget=d["budget_points"] if points else d["budget_amount"], points=(d.get("points") or 0) if points else 0,
            coupon_template_id=None if points or template is None else template.pk,
            lapsed_days=d["lapsed_days"], tag=d.get("tag") or "")


def _operator(request: HttpRequest) -> None:
    if not set(getattr(request.user, "roles", None) or []).intersection(services.STAFF_ROLES):
        raise DjangoPermissionDenied(_("This page is for operators."))


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _operator(request)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.define_campaign(actor=request.user, data=form.to_input())  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Campaign %(name)s scheduled.") % {"name": campaign.name})
            return redirect("web:campaign", campaign.pk)
    return render(request, "web/campaigns/list.html", {"form": form, "campaigns": selectors.all_campaigns()})


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _operator(request)
    campaign = selectors.campaign(campaign_id)
    if campaign is None:
        raise Http404
    return render(request, "web/campaigns/detail.html",
                  {"campaign": campaign, "results": selectors.results(campaign)})


@login_required
@require_POST
def campaign_action(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _operator(request)
    action = request.POST.get("action", "")
    try:
        if action == "run":
            granted = services.run_now(actor=request.user, campaign_id=campaign_id)  # type: ignore[arg-type]
            messages.success(request, _("The campaign ran: %(n)d members reached.") % {"n": granted})
        elif action == "cancel":
            services.cancel_campaign(actor=request.user, campaign_id=campaign_id)  # type: ignore[arg-type]
            messages.success(request, _("The campaign is cancelled."))
        else:
            messages.error(request, _("Choose run or cancel."))
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404 from exc
        messages.error(request, exc.message)
    # Back to the campaign: after a run its results are what the operator came to see.
    return redirect("web:campaign", campaign_id)
