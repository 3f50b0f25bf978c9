"""The member's own dashboard: where a member lands after logging in (staff land on their queue)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peerlend.accounts import selectors as accounts_selectors
from peerlend.accounts.models import Role
from peerlend.web import dashboard


@login_required
def member_dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = set(getattr(user, "roles", None) or [])
    context = {
        "kyc_status": accounts_selectors.kyc_status(user),
        "portfolio": dashboard.portfolio(user) if Role.INVESTOR in roles else None,
        "is_borrower": Role.BORROWER in roles,
        "loans": dashboard.borrower_loans(user) if Role.BORROWER in roles else [],
        "next_payment": dashboard.next_payment(user) if Role.BORROWER in roles else None,
        # Staff who open the dashboard get a link to their own queue.
        "queue_url": dashboard.landing_url(user) if roles - {Role.INVESTOR, Role.BORROWER} else "",
    }
    return render(request, "web/dashboard.html", context)
