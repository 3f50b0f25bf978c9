"""The model monitoring page (issue 17 part 5): risk officers, compliance and admins; read only.

Thin: the report is computed on read by ``peerlend.scoring.monitoring.report`` (which also says what
each figure means); this view checks the role, reads ``?month=YYYY-MM`` and renders.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerlend.accounts.models import Role
from peerlend.clock import business_date
from peerlend.domain.psi import PSI_ALERT, PSI_WATCH
from peerlend.scoring.monitoring.report import build_report, latest_complete_month, parse_month

MONITORING_ROLES = frozenset({Role.RISK_OFFICER, Role.COMPLIANCE, Role.ADMIN})


@login_required
@require_GET
def risk_monitoring(request: HttpRequest) -> HttpResponse:
    if not MONITORING_ROLES.intersection(getattr(request.user, "roles", None) or []):
        raise PermissionDenied(_("Only risk officers, compliance staff and administrators may see model monitoring."))
    today = business_date()
    text = request.GET.get("month", "").strip()
    try:
        month = parse_month(text) if text else latest_complete_month(today)
    except ValueError as exc:
        return render(request, "web/risk_monitoring/report.html",
                      {"error": str(exc), "month_text": text[:20]}, status=400)
    report = build_report(month, today)
    return render(request, "web/risk_monitoring/report.html", {
        "report": report, "month_text": month.strftime("%Y-%m"), "psi_alert": PSI_ALERT, "psi_watch": PSI_WATCH})
