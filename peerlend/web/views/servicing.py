"""Servicing pages: the borrower's repayment page, the investor's notes income, collections, inbox (thin)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerlend.accounts.models import Role
from peerlend.amount_input import parse_amount_input
from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.ledger import selectors as ledger_selectors
from peerlend.lending.models import Loan
from peerlend.servicing import collections, notifications, selectors, services
from peerlend.web.errors import error_response
from peerlend.web.params import form_id


def _amount(request: HttpRequest, required: bool = True) -> int | None:
    text = (request.POST.get("amount") or "").strip()
    if not text and not required:
        return None
    return parse_amount_input(text)


def _borrowers_loan(request: HttpRequest, loan_id: int) -> Loan:
    """The loan, if the caller is its borrower: 404/403 before any input is read (the service checks again)."""
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise Http404(_("No such loan."))
    if loan.borrower_id != request.user.pk:
        raise DjangoPermissionDenied(_("Only the loan's borrower can pay it here."))
    return loan


@login_required
def loan_servicing(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = Loan.objects.filter(pk=loan_id).first()
    user: Any = request.user
    if loan is None:
        raise Http404(_("No such loan."))
    is_borrower = loan.borrower_id == user.pk
    # The borrower's own page (pay, prepay); collections staff have their own view (collections_loan).
    if not is_borrower:
        raise DjangoPermissionDenied(_("This page is for the loan's borrower."))
    today = business_date()
    rows = selectors.schedule_view(loan, today)
    insts = [r.inst for r in rows]
    # Nothing payable now (e.g. the current installment was paid early): say when the next one opens.
    upcoming = next(((k, i) for k, i in enumerate(insts) if i.due_minor > 0 and i.due_date > today), None)
    context = {
        "next_unpaid": upcoming[1] if upcoming else None,
        "next_payable_from": insts[upcoming[0] - 1].due_date if upcoming and upcoming[0] > 0 else None,
        "loan": loan, "rows": rows, "today": today,
        "owed_now": services.owed_minor(insts, today, ahead=False),
        "owed_with_next": services.owed_minor(insts, today, ahead=True),
        # The pay and prepay forms are the borrower's alone; staff collect from the collections page.
        "quote": services.prepayment_quote(loan, insts, today)
        if is_borrower and loan.status in services.SERVICED else None,
        "payments": selectors.payments_of(loan)[:20],
        "key": uuid.uuid4().hex, "can_pay": is_borrower and loan.status in (*services.SERVICED, "charged_off"),
        "has_contract": hasattr(loan, "contract"),
        # Shown next to the pay form: a payment can take only what this balance holds.
        "available": ledger_selectors.balances(user).available_minor if is_borrower else None,
    }
    return render(request, "web/servicing/loan.html", context)


def _money_action(request: HttpRequest, loan_id: int, fn: Any, amount: int | None) -> HttpResponse:
    """Run a payment service with the form's key (the service takes it; a missing key is refused)."""
    try:
        result = fn(amount, request.POST.get("idempotency_key") or "")
    except ApplicationError as exc:
        if exc.status == 403:  # the service refused the caller (the loan changed hands meanwhile): not a page message
            raise DjangoPermissionDenied(exc.message) from exc
        messages.error(request, exc.message or _("The payment was refused."))
        return redirect("web:loan_servicing", loan_id=loan_id)
    messages.success(request, result.message)
    return redirect("web:loan_servicing", loan_id=loan_id)


@login_required
@require_POST
def repay(request: HttpRequest, loan_id: int) -> HttpResponse:
    _borrowers_loan(request, loan_id)
    try:
        amount = _amount(request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("web:loan_servicing", loan_id=loan_id)
    return _money_action(request, loan_id, lambda a, key: services.repay(
        actor=request.user, loan_id=loan_id, amount_minor=a, idempotency_key=key), amount)  # type: ignore[arg-type]


@login_required
@require_POST
def prepay(request: HttpRequest, loan_id: int) -> HttpResponse:
    _borrowers_loan(request, loan_id)
    try:
        amount = _amount(request, required=False)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("web:loan_servicing", loan_id=loan_id)
    return _money_action(request, loan_id, lambda a, key: services.prepay(
        actor=request.user, loan_id=loan_id, amount_minor=a, idempotency_key=key), amount)  # type: ignore[arg-type]


@login_required
def notes_income(request: HttpRequest) -> HttpResponse:
    notes = selectors.notes_with_income(request.user)
    totals = {
        "principal": sum(n.principal_received_minor for n in notes),
        "interest": sum(n.interest_received_minor for n in notes),
        "fees": sum(n.fees_paid_minor for n in notes),
        "charged_off": sum(n.charged_off_minor for n in notes),
    }
    return render(request, "web/servicing/notes.html", {"notes": notes, "totals": totals})


@login_required
def collections_queue(request: HttpRequest) -> HttpResponse:
    try:
        rows = collections.queue(request.user)  # type: ignore[arg-type]
    except ApplicationError as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    return render(request, "web/servicing/collections.html", {
        "rows": rows, "pending": selectors.pending_compensations(),
        "methods": collections.ContactNote.Method.choices,
        # A fresh key per rendered page (suffixed per loan): a double submit replays instead of collecting twice.
        "key": uuid.uuid4().hex})


@login_required
def collections_loan(request: HttpRequest, loan_id: int) -> HttpResponse:
    """The collections view of one loan: whom to call, what is overdue, the history; no pay or prepay."""
    try:
        file = collections.loan_file(request.user, loan_id)  # type: ignore[arg-type]
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from exc
        raise DjangoPermissionDenied(exc.message) from exc  # not collections staff, or not behind on payments
    return render(request, "web/servicing/collections_loan.html", {
        "file": file, "r": file.row, "loan": file.row.loan, "today": business_date(),
        "methods": collections.ContactNote.Method.choices, "key": uuid.uuid4().hex})


@login_required
@require_POST
def collections_action(request: HttpRequest, loan_id: int) -> HttpResponse:
    user: Any = request.user
    if not user.has_role(Role.COLLECTIONS):
        raise DjangoPermissionDenied(_("This page is for collections staff."))
    kind = request.POST.get("action")
    try:
        if kind == "note":
            collections.add_contact_note(user, loan_id, request.POST.get("method", ""), request.POST.get("text", ""))
            messages.success(request, _("Contact note saved."))
        elif kind == "promise":
            amount = _amount(request)
            assert amount is not None
            when = date.fromisoformat(request.POST.get("promised_on", ""))
            collections.record_promise(user, loan_id, amount, when)
            messages.success(request, _("Promise to pay recorded."))
        elif kind == "collect":
            amount = _amount(request)
            assert amount is not None
            result = collections.collect(user, loan_id, amount,
                                         idempotency_key=request.POST.get("idempotency_key"))
            messages.success(request, result["message"])
        else:
            messages.error(request, _("Unknown action."))
    except ValueError:
        messages.error(request, _("Give the promised date as YYYY-MM-DD."))
    except ApplicationError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    if request.POST.get("back") == "loan":  # the form on the loan's own collections view
        return redirect("web:collections_loan", loan_id=loan_id)
    return redirect("web:collections_queue")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        notification_id = form_id(request.POST.get("id"))
        if notification_id is None:
            return error_response(request, 400, "invalid_id", _("The message id must be a positive whole number."))
        notifications.mark_read(request.user, notification_id)
        return redirect("web:inbox")
    # Twenty a page, newest first: a member with years of reminders still gets a page that loads.
    page = Paginator(notifications.inbox(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "web/servicing/inbox.html", {"messages_": page.object_list, "page": page})
