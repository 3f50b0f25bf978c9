"""The regulator's exports (CSV/XLSX for a date range) and the custody reconciliation report.

Regulator pages go through ``regulator_read`` (GET only, role checked, each read logged); the public
reconciliation page shows the same monthly and daily figures, with no member data, to anyone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from peerlend.clock import business_date
from peerlend.compliance.regulator import access
from peerlend.disclosure.regulator import reconciliation as recon
from peerlend.disclosure.regulator.exports import DATASETS, file_name
from peerlend.disclosure.regulator.ranges import parse_date_range
from peerlend.disclosure.regulator.writers import CONTENT_TYPES, FORMATS, Amount, Cell
from peerlend.disclosure.regulator.writers import render as render_file
from peerlend.errors import ApplicationError
from peerlend.web.views.regulator_access import AccessNote, regulator_read

DEFAULT_DAYS = 31  # the daily table's default window
MONTHS_SHOWN = 12  # the monthly table: this month and the eleven before


def _download(content: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _default_range(today: dt.date) -> dict[str, str]:
    return {"from": (today - dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat(), "to": today.isoformat()}


@regulator_read(access.EXPORT)
def exports(request: HttpRequest, note: AccessNote) -> HttpResponse:
    return render(request, "web/regulator/exports.html", {
        "datasets": DATASETS.values(), "formats": FORMATS, "initial": _default_range(business_date())})


@regulator_read(access.EXPORT)
def export_file(request: HttpRequest, note: AccessNote, dataset: str, fmt: str) -> HttpResponse:
    note.extra = {"dataset": dataset[:40], "format": fmt[:8]}
    found = DATASETS.get(dataset)
    if found is None or fmt not in FORMATS:
        raise Http404("no such export")
    try:
        first, last = parse_date_range(request.GET.get("from"), request.GET.get("to"))
    except ApplicationError as exc:
        return render(request, "web/regulator/exports.html", {
            "datasets": DATASETS.values(), "formats": FORMATS, "error": exc.message,
            "initial": {"from": request.GET.get("from", ""), "to": request.GET.get("to", "")}}, status=exc.status)
    content = render_file(fmt, found.code, found.header, found.rows(first, last, business_date()))
    return _download(content, fmt, file_name(found.code, first, last, fmt))


def _report(first: dt.date, last: dt.date) -> dict[str, Any]:
    days = recon.daily(first, last)
    today = business_date()
    months = recon.monthly(recon.daily(recon.month_start(today, MONTHS_SHOWN - 1), today))
    return {"days": days, "months": months, "days_total": recon.total(days), "months_total": recon.total(months),
            "first": first, "last": last}


def _range_or_default(request: HttpRequest) -> tuple[dt.date, dt.date]:
    if not request.GET.get("from") and not request.GET.get("to"):
        today = business_date()
        return today - dt.timedelta(days=DEFAULT_DAYS - 1), today
    return parse_date_range(request.GET.get("from"), request.GET.get("to"))


@regulator_read(access.RECONCILIATION)
def reconciliation(request: HttpRequest, note: AccessNote) -> HttpResponse:
    try:
        first, last = _range_or_default(request)
    except ApplicationError as exc:
        today = business_date()
        return render(request, "web/regulator/reconciliation.html", {
            **_report(today, today), "days": [], "error": exc.message, "formats": FORMATS}, status=exc.status)
    return render(request, "web/regulator/reconciliation.html", {**_report(first, last), "formats": FORMATS})


def _recon_cells(row: recon.ReconRow) -> tuple[Cell, ...]:
    return (row.period, row.lines, row.matched, Amount(row.matched_minor), row.differences,
            Amount(row.differences_minor), row.resolved, row.open)


@regulator_read(access.RECONCILIATION_EXPORT)
def reconciliation_export(request: HttpRequest, note: AccessNote, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("no such format")
    try:
        first, last = parse_date_range(request.GET.get("from"), request.GET.get("to"))
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
    days = recon.daily(first, last)
    rows = recon.monthly(days) if request.GET.get("by") == "month" else days
    content = render_file(fmt, "reconciliation", recon.HEADER, (_recon_cells(r) for r in rows))
    return _download(content, fmt, file_name("reconciliation", first, last, fmt))


@require_GET
def public_reconciliation(request: HttpRequest) -> HttpResponse:
    """The public's view: the same figures per month and for the last month's days; no member data."""
    today = business_date()
    return render(request, "web/regulator/public_reconciliation.html",
                  _report(today - dt.timedelta(days=DEFAULT_DAYS - 1), today))
