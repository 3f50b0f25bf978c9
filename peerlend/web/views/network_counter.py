"""Repayments taken at a point, their receipts, the manager's cash day and the operator's daily reconciliation. Thin."""

from __future__ import annotations

import uuid
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from peerlend.accounts.network import selectors
from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.servicing import counter, point_close
from peerlend.web.forms_network import CounterForm, DayCloseForm
from peerlend.web.views.network_agent import agent_point, attach, refuse


@login_required
@require_http_methods(["GET", "POST"])
def counter_page(request: HttpRequest) -> HttpResponse:
    point = agent_point(request)
    form = CounterForm(request.POST or None, initial={"idempotency_key": uuid.uuid4().hex, "method": "cash"})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            result = counter.take_repayment(agent=request.user, loan_id=d["loan_id"],  # type: ignore[arg-type]
                                            amount_minor=d["amount"], method=d["method"],
                                            idempotency_key=d["idempotency_key"])
        except ApplicationError as exc:
            attach(form, exc)  # another point's member is refused on the form, like an unknown loan
        else:
            messages.success(request, _("Payment received and applied to the loan."))
            return redirect("web:counter_receipt", receipt_id=result.receipt_id)
    return render(request, "web/network/counter.html", {
        "form": form, "point": point, "receipts": selectors.receipts_at([point.pk], limit=50)},
        status=400 if form.errors else 200)


@login_required
@require_GET
def receipt(request: HttpRequest, receipt_id: int) -> HttpResponse:
    row = selectors.receipt_for_viewer(receipt_id, request.user)
    if row is None:
        raise Http404(_("No such receipt."))
    return render(request, "web/network/receipt.html", {"receipt": row})


@login_required
@require_http_methods(["GET", "POST"])
def day_close(request: HttpRequest) -> HttpResponse:
    point = agent_point(request)
    today = business_date()
    form = DayCloseForm(request.POST or None, initial={"day": today, "idempotency_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            close = point_close.close_day(manager=request.user, day=d["day"],  # type: ignore[arg-type]
                                          counted_cash_minor=d["counted"] or 0, idempotency_key=d["idempotency_key"])
        except ApplicationError as exc:
            refuse(exc)
            attach(form, exc)
        else:
            if close.difference_minor:
                messages.warning(request, _("Day closed with a difference; operations will follow it up."))
            else:
                messages.success(request, _("Day closed: the counted cash matches the books."))
            return redirect("web:point_day_close")
    rows = [r for r in point_close.reconciliation(today) if r.point.pk == point.pk]
    return render(request, "web/network/day_close.html", {"form": form, "point": point, "rows": rows},
                  status=400 if form.errors else 200)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text) if text else business_date()
    except ValueError:
        return business_date()


@login_required
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    if not selectors.is_point_admin(request.user):
        raise DjangoPermissionDenied(_("This page is for operators."))
    day = _day(request.GET.get("day", "")[:10])
    rows = point_close.reconciliation(day)
    return render(request, "web/network/reconciliation.html", {
        "day": day, "rows": rows, "differences": [r for r in rows if r.status != "matched"]})
