"""The compliance officer's oversight screen: read-only, nothing on it changes state.

Recent audit-log entries, identity review cases, loans by status and the platform's balances, so
compliance staff see the state of the platform without the operator's or the risk officer's tools.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerlend.accounts import selectors as accounts_selectors
from peerlend.accounts.models import Role
from peerlend.clock import business_date
from peerlend.compliance.models import AuditEvent
from peerlend.domain.lifecycle import LoanStatus
from peerlend.ledger import selectors as ledger_selectors
from peerlend.lending.models import Loan
from peerlend.scoring.monitoring.report import psi_alerts

OVERSIGHT_ROLES = frozenset({Role.COMPLIANCE, Role.ADMIN})
AUDIT_ROWS = 50
CLOSED_REVIEW_ROWS = 20


def _loans_by_status() -> list[dict[str, Any]]:
    """Every loan status in lifecycle order, with its count and principal (zeros included)."""
    found = {row["status"]: row for row in
             Loan.objects.values("status").annotate(n=Count("id"), amount=Sum("amount_minor"))}
    return [{"status": s.value, "n": found.get(s.value, {}).get("n", 0),
             "amount_minor": found.get(s.value, {}).get("amount") or 0} for s in LoanStatus]


@login_required
@require_GET
def oversight(request: HttpRequest) -> HttpResponse:
    if not OVERSIGHT_ROLES.intersection(getattr(request.user, "roles", None) or []):
        raise PermissionDenied(_("Only compliance staff may open the oversight screen."))
    pending = list(accounts_selectors.identity_reviews())
    closed = list(accounts_selectors.identity_reviews(status="closed").order_by("-closed_at", "-pk")
                  [:CLOSED_REVIEW_ROWS])
    context = {
        "audit": AuditEvent.objects.order_by("-id")[:AUDIT_ROWS],
        "pending_reviews": pending,
        "closed_reviews": closed,
        "loans_by_status": _loans_by_status(),
        "platform": ledger_selectors.platform_balances(),
        # Model monitoring (issue 17 part 5): the latest complete month's PSI, computed on read (bounded).
        "model_alert": psi_alerts(business_date()),
    }
    return render(request, "web/oversight.html", context)
