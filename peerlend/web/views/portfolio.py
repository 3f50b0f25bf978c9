"""The investor's portfolio page and its notes export (thin: the selectors in investing.portfolio compute)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from peerlend.accounts.models import Role
from peerlend.clock import business_date
from peerlend.domain.portfolio_returns import LOSS_BUCKETS
from peerlend.errors import ApplicationError
from peerlend.investing.portfolio import STATUS_LABELS, NoteFilter, csv_rows, holdings_of, portfolio_from
from peerlend.investing.portfolio.filters import PAGE_SIZE
from peerlend.ledger.selectors import balances


def _investor(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_role(Role.INVESTOR):
        raise DjangoPermissionDenied(_("This page is for investors."))
    return user


@login_required
@require_GET
def portfolio(request: HttpRequest) -> HttpResponse:
    investor = _investor(request)
    today = business_date()
    holdings = holdings_of(investor.pk, today)
    cash = balances(investor)
    summary = portfolio_from(holdings, today, (cash.available_minor, cash.frozen_minor))
    error = ""
    try:
        f = NoteFilter.from_query(request.GET)
    except ApplicationError as exc:  # a hand-edited link: say what is wrong and show every note
        error, f = exc.message, NoteFilter()
    page = Paginator(f.apply(holdings), PAGE_SIZE).get_page(f.page)
    return render(request, "web/portfolio/portfolio.html", {
        "p": summary, "page": page, "filter": f, "error": error, "query": f.query(),
        "statuses": [(code, label) for code, label in STATUS_LABELS.items()],
        "grades": "ABCDE", "terms": sorted({h.term_months for h in holdings}),
        "vintages": sorted({h.vintage for h in holdings}, reverse=True),
        "buckets": [(b, STATUS_LABELS[b.code]) for b in LOSS_BUCKETS if b.loss_rate],
        "breakdowns": [(_("By grade"), summary.by_grade), (_("By term (months)"), summary.by_term),
                       (_("By vintage (month of issue)"), summary.by_vintage), (_("By status"), summary.by_status)],
    })


@login_required
@require_GET
def notes_csv(request: HttpRequest) -> HttpResponse:
    """The filtered notes as CSV (all pages); a bad filter is a 400 naming it. Writes nothing."""
    investor = _investor(request)
    try:
        f = NoteFilter.from_query(request.GET)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(f.apply(holdings_of(investor.pk, business_date()))))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="notes.csv"'
    return response
