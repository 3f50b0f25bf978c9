"""Risk officers' page of credit-model candidates (issue 17 part 4): the champion/challenger reports
side by side, and the decision to approve (the candidate goes live) or reject, with a reason.

Thin: ``scoring.retraining.decisions`` decides and audits; a GET never writes.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from peerlend.errors import ApplicationError
from peerlend.scoring.models import CandidateStatus, ModelCandidate
from peerlend.scoring.retraining import decisions
from peerlend.scoring.retraining.live import live_model

PAGE_SIZE = 20  # candidates shown, newest first


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Reject"))])
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=decisions.MAX_REASON_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))


def _decider(request: HttpRequest) -> None:
    if not decisions.can_decide(request.user):
        raise DjangoPermissionDenied(_("This page is for risk officers."))


def _metric_rows(report: dict) -> list[dict]:  # type: ignore[type-arg]
    champ, chall = report["champion"], report["challenger"]
    cc, hc = champ["at_cutoff"], chall["at_cutoff"]
    return [
        {"label": _("AUC"), "champion": f"{champ['auc']:.4f}", "challenger": f"{chall['auc']:.4f}"},
        {"label": _("KS"), "champion": f"{champ['ks']:.4f}", "challenger": f"{chall['ks']:.4f}"},
        {"label": _("Approval rate at the cut-off"), "champion": f"{cc['approval_rate']:.2%}",
         "challenger": f"{hc['approval_rate']:.2%}"},
        {"label": _("Expected loss of approved loans (CNY)"), "champion": f"{cc['expected_loss_minor'] / 100:,.2f}",
         "challenger": f"{hc['expected_loss_minor'] / 100:,.2f}"},
        {"label": _("Observed bad rate of approved loans"), "champion": f"{cc['observed_bad_rate_approved']:.2%}",
         "challenger": f"{hc['observed_bad_rate_approved']:.2%}"},
    ]


@login_required
@require_GET
def risk_models(request: HttpRequest) -> HttpResponse:
    _decider(request)
    items = []
    for c in ModelCandidate.objects.select_related("decided_by")[:PAGE_SIZE]:
        report = c.report
        deciles = list(zip(report["champion"]["calibration"], report["challenger"]["calibration"], strict=False))
        items.append({"c": c, "report": report, "rows": _metric_rows(report), "deciles": deciles,
                      "form": DecisionForm() if c.status == CandidateStatus.PENDING else None})
    return render(request, "web/risk_models/list.html", {"items": items, "live_version": live_model().version})


@login_required
@require_POST
def risk_model_decide(request: HttpRequest, candidate_id: int) -> HttpResponse:
    _decider(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject and give a reason (at most %(n)d characters).")
                       % {"n": decisions.MAX_REASON_LENGTH})
        return redirect("web:risk_models")
    action = decisions.approve if form.cleaned_data["decision"] == "approve" else decisions.reject
    try:
        candidate = action(user=request.user, candidate_id=candidate_id, reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("web:risk_models")
    messages.success(request, _("Model %(v)s: %(s)s.") % {"v": candidate.version, "s": candidate.get_status_display()})
    return redirect("web:risk_models")
