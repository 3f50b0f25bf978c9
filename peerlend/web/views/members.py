"""The member centre: tier, progress, points balance and history, privileges, benefits, activity.

Thin and read-only: selectors read (without creating the member row), sections registered by other
parts of marketing (coupons, referrals) are included as they are.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from peerlend.marketing.members import selectors
from peerlend.marketing.members.sections import centre_sections

PER_PAGE = 20


@login_required
def member_centre(request: HttpRequest) -> HttpResponse:
    summary = selectors.member_summary(request.user)
    page = Paginator(selectors.history(request.user), PER_PAGE).get_page(request.GET.get("page"))
    rows = [{"entry": e, "label": selectors.reason_label(e.reason)} for e in page.object_list]
    return render(request, "web/members/centre.html", {
        "summary": summary, "standing": summary.standing, "page": page, "rows": rows,
        "sections": centre_sections(request.user),
        "tier_rows": [{"tier": t, "discount_pct": Decimal(t.fee_discount_bp) / 100} for t in summary.tiers],
    })
