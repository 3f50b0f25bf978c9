"""Public operating data (monthly snapshots) and vintage statistics, with charts (thin: selectors decide).

Charts are drawn on request and inlined as SVG; nothing is stored, a GET writes nothing.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from peerlend.clock import business_date
from peerlend.disclosure.monthly import charts
from peerlend.disclosure.monthly import selectors as monthly
from peerlend.disclosure.monthly.periods import parse_month
from peerlend.disclosure.vintage.stats import BUCKETS, vintage_csv, vintage_rows
from peerlend.errors import ApplicationError


@require_GET
def monthly_page(request: HttpRequest) -> HttpResponse:
    history = monthly.current_snapshots()
    chosen = request.GET.get("month", "")
    try:
        snap = monthly.snapshot(parse_month(chosen)) if chosen else (history[0] if history else None)
    except ApplicationError as exc:
        raise Http404(exc.message) from None
    context = {
        "snap": snap, "history": history,
        "lines": monthly.figure_lines(snap) if snap else [],
        "rates": [(str(monthly.RATE_LABELS[k]), k, v) for k, v in monthly.rates(snap.figures).items()] if snap else [],
        "versions": monthly.versions(snap.month) if snap else [],
        "fee_rows": monthly.fee_rows(snap.fee_schedule) if snap else [],
        "history_rates": [(s, monthly.rates(s.figures)) for s in history],
        "volume_chart": charts.volume_chart(history), "overdue_chart": charts.overdue_chart(history),
    }
    return render(request, "web/disclosure_monthly/monthly.html", context)


@require_GET
def vintage_page(request: HttpRequest) -> HttpResponse:
    as_of = business_date()
    rows = vintage_rows(as_of)
    return render(request, "web/disclosure_monthly/vintage.html", {
        "rows": rows, "as_of": as_of, "buckets": BUCKETS, "chart": charts.vintage_chart(rows)})


@require_GET
def vintage_download(request: HttpRequest) -> HttpResponse:
    as_of = business_date()
    response = HttpResponse(vintage_csv(vintage_rows(as_of)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vintage-{as_of.isoformat()}.csv"'
    return response
