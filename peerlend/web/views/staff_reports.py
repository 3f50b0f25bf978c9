"""Operator pages of staff performance: monthly targets, completion reports (page, chart, CSV/XLSX), commissions.

Thin: forms parse, ``marketing.staff`` services decide and selectors read. A GET never writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from peerlend.accounts.models import AgentMembership, ServicePoint
from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.marketing.models_staff import MAX_TARGET_AMOUNT_MINOR, MAX_TARGET_COUNT
from peerlend.marketing.staff import charts, export, targets
from peerlend.marketing.staff.labels import GROUPING_LABELS, METRIC_LABELS, is_amount
from peerlend.marketing.staff.metrics import GROUPINGS, METRICS, Grouping
from peerlend.marketing.staff.months import first_day, parse_month
from peerlend.marketing.staff.report import Report, completion_report
from peerlend.marketing.staff.statement import month_commissions
from peerlend.web.forms_lending import AmountField, _BootstrapForm


def _operator(request: HttpRequest) -> None:
    if not targets.is_operator(request.user):  # type: ignore[arg-type]
        raise DjangoPermissionDenied(_("This page is for operators."))


def _month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month") or request.POST.get("month")
    return parse_month(text) if text else first_day(business_date())


def _owner_choices() -> list[tuple[str, str]]:
    agents = (AgentMembership.objects.filter(active=True).select_related("agent", "service_point")
              .order_by("service_point__code", "agent__username"))
    points = ServicePoint.objects.order_by("code")
    return [("", "—"),
            *[(f"point:{p.pk}", _("Point %(code)s %(name)s") % {"code": p.code, "name": p.name}) for p in points],
            *[(f"agent:{m.agent_id}", _("Agent %(user)s (%(code)s)") % {"user": m.agent.username,
                                                                     "code": m.service_point.code})
              for m in agents]]


class TargetForm(_BootstrapForm):
    month = forms.CharField(label=gettext_lazy("Month (YYYY-MM)"), max_length=7)
    owner = forms.ChoiceField(label=gettext_lazy("Agent or service point"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _owner_choices()
        for metric in METRICS:
            label = METRIC_LABELS[metric]
            if is_amount(metric):
                self.fields[metric] = AmountField(label=label, required=False, max_minor=MAX_TARGET_AMOUNT_MINOR,
                                                  help_text=gettext_lazy("Blank for none"))
            else:
                self.fields[metric] = forms.IntegerField(label=label, min_value=0, max_value=MAX_TARGET_COUNT,
                                                         initial=0)
            self.fields[metric].widget.attrs.setdefault("class", "form-control")

    def to_input(self) -> targets.TargetInput:
        d = self.cleaned_data
        kind, _sep, pk = str(d["owner"]).partition(":")
        return targets.TargetInput(
            month=parse_month(d["month"]), agent_id=int(pk) if kind == "agent" else None,
            service_point_id=int(pk) if kind == "point" else None,
            values={m: int(d.get(m) or 0) for m in METRICS})


@login_required
@require_http_methods(["GET", "POST"])
def staff_targets(request: HttpRequest) -> HttpResponse:
    _operator(request)
    try:
        month = _month(request)
    except ApplicationError as exc:
        return render(request, "web/staff/refused.html", {"message": exc.message}, status=exc.status)
    form = TargetForm(request.POST or None, initial={"month": month.strftime("%Y-%m")})
    if request.method == "POST" and form.is_valid():
        try:
            target = targets.set_target(actor=request.user, data=form.to_input())  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Targets saved."))
            return redirect(f"{request.path}?month={target.month:%Y-%m}")
    rows = [(t, [(getattr(t, m), is_amount(m)) for m in METRICS]) for t in targets.targets_of_month(month)]
    return render(request, "web/staff/targets.html", {
        "form": form, "month": month, "rows": rows, "metrics": _metric_heads()},
        status=400 if form.errors else 200)


def _metric_heads() -> list[tuple[str, Any, bool]]:
    return [(m, METRIC_LABELS[m], is_amount(m)) for m in METRICS]


def _report_args(request: HttpRequest) -> tuple[Grouping, dt.date, str]:
    grouping = request.GET.get("by", "agent")
    metric = request.GET.get("metric", METRICS[0])
    if grouping not in GROUPINGS or metric not in METRICS:
        raise ApplicationError(_("Unknown report grouping or figure."), code="invalid_report")
    return grouping, _month(request), metric  # type: ignore[return-value]


def _report(request: HttpRequest) -> tuple[Report, str]:
    grouping, month, metric = _report_args(request)
    return completion_report(grouping, month, as_of=business_date()), metric


@login_required
@require_GET
def staff_report(request: HttpRequest) -> HttpResponse:
    _operator(request)
    try:
        report, metric = _report(request)
    except ApplicationError as exc:
        return render(request, "web/staff/refused.html", {"message": exc.message}, status=exc.status)
    total = report.total()
    rows = [(row.label, [(row.cells[m], is_amount(m)) for m in METRICS]) for row in report.rows]
    return render(request, "web/staff/report.html", {
        "report": report, "metric": metric, "metrics": _metric_heads(), "rows": rows,
        "total": [(total[m], is_amount(m)) for m in METRICS], "month_text": report.month.strftime("%Y-%m"),
        "groupings": list(GROUPING_LABELS.items())})


@login_required
@require_GET
def staff_report_chart(request: HttpRequest) -> HttpResponse:
    _operator(request)
    try:
        report, metric = _report(request)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    response = HttpResponse(charts.completion_chart(report, metric), content_type="image/svg+xml")
    patch_cache_control(response, private=True)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_GET
def staff_report_export(request: HttpRequest) -> HttpResponse:
    _operator(request)
    fmt = request.GET.get("format", "csv")
    try:
        if fmt not in ("csv", "xlsx"):
            raise ApplicationError(_("Choose CSV or XLSX."), code="invalid_format")
        report, _metric = _report(request)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    name = f"staff-performance-{report.grouping}-{report.month:%Y-%m}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(export.render_csv(report), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(export.render_xlsx(report), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    patch_cache_control(response, private=True)
    return response


@login_required
@require_GET
def staff_commissions(request: HttpRequest) -> HttpResponse:
    _operator(request)
    try:
        month = _month(request)
    except ApplicationError as exc:
        return render(request, "web/staff/refused.html", {"message": exc.message}, status=exc.status)
    lines = month_commissions(month)
    return render(request, "web/staff/commissions.html", {
        "month": month, "lines": lines, "total": sum(line.commission.amount_minor for line in lines),
        "agent": None})

