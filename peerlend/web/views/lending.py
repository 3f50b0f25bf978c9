"""Marketplace pages: browse, loan detail and invest, apply, my loans, risk review, agent filing."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerlend.accounts.models import Role, User
from peerlend.clock import business_date
from peerlend.domain.schedule import build_schedule
from peerlend.errors import ApplicationError, NotFound
from peerlend.lending import selectors, services
from peerlend.lending.cancellation import cancelled_message
from peerlend.lending.contract_pdf import render_contract_pdf
from peerlend.lending.models import Loan, LoanDocument, Purpose
from peerlend.lending.quote import loan_investor_quote
from peerlend.web.errors import error_response
from peerlend.web.forms_lending import ApplicationForm, DecisionForm, InvestForm, OfflineApplicationForm
from peerlend.web.views.quote import quote_context


def _require_role(user: Any, role: str) -> None:
    if not (user.is_authenticated and user.has_role(role)):
        raise DjangoPermissionDenied(_("This page is for %(role)s users.") % {"role": role})


def _loan_or_404(loan_id: int, user: Any) -> Loan:
    try:
        return selectors.loan_for_viewer(loan_id, user if user.is_authenticated else None)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def marketplace(request: HttpRequest) -> HttpResponse:
    try:
        f = selectors.MarketFilter.from_query(request.GET.dict())
    except ApplicationError as exc:  # a filter that is not a number in range (NaN, Infinity, 1e999, ...)
        return error_response(request, exc.status, exc.code, exc.message)
    page = Paginator(selectors.marketplace(f), 12).get_page(request.GET.get("page"))
    context = {"page": page, "filter": f, "purposes": Purpose.choices, "sorts": selectors.SORTS,
               "grades": selectors.GRADE_LETTERS, "query": request.GET.copy()}
    template = "web/lending/_market_table.html" if request.headers.get("HX-Request") else "web/lending/market.html"
    return render(request, template, context)


def loan_detail(request: HttpRequest, loan_id: int, form: InvestForm | None = None) -> HttpResponse:
    # A read never expires a listing (run-day and expire-listings do): a closed window is shown as such.
    loan = _loan_or_404(loan_id, request.user)
    closed = selectors.listing_closed(loan, business_date())
    installments = list(loan.installments.all()) if loan.disbursed_on else []
    preview = []
    if not installments and loan.annual_rate is not None:
        preview = build_schedule(loan.amount_minor, loan.annual_rate, loan.term_months, loan.repayment_method,
                                 business_date())
    user = request.user
    context = {
        "loan": loan,
        "installments": installments,
        "preview": preview,
        "form": form or InvestForm(initial={"idempotency_key": uuid.uuid4().hex}),
        "is_party": user.is_authenticated and selectors.is_party(loan, user),  # type: ignore[arg-type]
        "is_owner": user.is_authenticated and user.pk == loan.borrower_id,
        "listing_closed": closed,
        "can_invest": loan.status == "listed" and not closed and user.is_authenticated and user.pk != loan.borrower_id
        and user.has_role(Role.INVESTOR),
        # The coupon used on a note (issue 15) is shown beside it: read with the notes, one query.
        "my_notes": (loan.notes.filter(investor=user).select_related("coupon__template")
                     if user.is_authenticated else []),
        "borrower_identity": getattr(loan.borrower, "identity", None),
        # Before investing: the expected return net of the service fee and the grade's expected loss.
        "investor_quote": loan_investor_quote(loan) if loan.status == "listed" and not closed else None,
    }
    return render(request, "web/lending/loan_detail.html", context)


@login_required
@require_POST
def invest(request: HttpRequest, loan_id: int) -> HttpResponse:
    form = InvestForm(request.POST)
    if not form.is_valid():
        return loan_detail(request, loan_id, form=form)
    try:
        # The form's key: a double submit (or the same key over the API) places one note.
        note = services.invest(investor=request.user, loan_id=loan_id,  # type: ignore[arg-type]
                               amount_minor=form.cleaned_data["amount"],
                               idempotency_key=form.cleaned_data["idempotency_key"],
                               coupon_code=form.cleaned_data.get("coupon_code") or None)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("web:loan_detail", loan_id=loan_id)
    messages.success(request, _("Your note %(id)s is recorded; the amount is frozen until the loan funds.")
                     % {"id": note.pk})
    if form.cleaned_data.get("coupon_code"):
        messages.success(request, _("Your coupon is used on note %(id)s: the platform pays a cash voucher when the "
                                    "loan is disbursed, a rate boost with each repayment.") % {"id": note.pk})
    return redirect("web:loan_detail", loan_id=loan_id)


@login_required
def apply(request: HttpRequest) -> HttpResponse:
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            loan = services.submit_application(borrower=request.user, data=form.to_input())  # type: ignore[arg-type]
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            if loan.status == "rejected":
                messages.error(request, _("Your application was declined: %(r)s") % {"r": loan.decision_reason})
            else:
                messages.success(
                    request,
                    _("Application %(id)s submitted: grade %(g)s; a risk officer reviews it next.")
                    % {"id": loan.pk, "g": loan.grade},
                )
            return redirect("web:my_loans")
    context = {"form": form, **quote_context((request.POST if request.method == "POST" else request.GET).dict())}
    return render(request, "web/lending/apply.html", context)


@login_required
def my_loans(request: HttpRequest) -> HttpResponse:
    loans = selectors.loans_of_borrower(request.user)  # type: ignore[arg-type]
    # Each cancel button sends "<this key>-<loan id>": a double submit cancels (and refunds) once.
    return render(request, "web/lending/my_loans.html", {"loans": loans, "form_key": uuid.uuid4().hex})


@login_required
def my_notes(request: HttpRequest) -> HttpResponse:
    notes = selectors.notes_of_investor(request.user)  # type: ignore[arg-type]
    return render(request, "web/lending/my_notes.html", {"notes": notes})


@login_required
@require_POST
def cancel(request: HttpRequest, loan_id: int) -> HttpResponse:
    try:
        loan = services.cancel(actor=request.user, loan_id=loan_id, reason=request.POST.get("reason", ""),  # type: ignore[arg-type]
                               idempotency_key=request.POST.get("idempotency_key") or None)
        messages.success(request, cancelled_message(loan))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("web:my_loans")


@login_required
def contract_pdf(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = _loan_or_404(loan_id, request.user)
    try:
        selectors.require_party(loan, request.user)  # type: ignore[arg-type]
    except ApplicationError as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    if not hasattr(loan, "contract"):
        raise Http404(_("This loan has no contract yet."))
    response = HttpResponse(render_contract_pdf(loan.contract), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{loan.contract.number}.pdf"'
    return response


# ---------------------------------------------------------------- risk officers


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _require_role(request.user, Role.RISK_OFFICER)
    return render(request, "web/lending/review_queue.html", {"loans": selectors.review_queue()})


@login_required
def review_detail(request: HttpRequest, loan_id: int) -> HttpResponse:
    _require_role(request.user, Role.RISK_OFFICER)
    loan = _loan_or_404(loan_id, request.user)
    form = DecisionForm(request.POST or None, initial={"version": loan.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        action = {"approve": services.approve, "reject": services.reject,
                  "request_documents": services.request_documents}[d["decision"]]
        try:
            loan = action(officer=request.user, loan_id=loan.pk, reason=d["reason"], version=d["version"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:review_detail", loan_id=loan_id)
        messages.success(request, _("Decision recorded: the application is now %(s)s.")
                         % {"s": loan.get_status_display()})
        return redirect("web:review_queue")
    return render(request, "web/lending/review_detail.html", {
        "loan": loan, "form": form, "hits": loan.fraud_hits.all(), "documents": loan.documents.all(),
        "decisions": loan.decisions.select_related("officer"),
        "borrower_identity": getattr(loan.borrower, "identity", None),
    })


@login_required
def review_document(request: HttpRequest, document_id: int) -> HttpResponse:
    """Uploaded documents are shown to staff only, never through a public URL."""
    user = request.user
    if not selectors.is_staff_viewer(user):  # type: ignore[arg-type]
        document = LoanDocument.objects.filter(pk=document_id, uploaded_by=user).first()
    else:
        document = LoanDocument.objects.filter(pk=document_id).first()
    if document is None:
        raise Http404(_("No such document."))
    return FileResponse(open(services.document_path(document), "rb"), content_type=document.content_type,
                        as_attachment=True, filename=document.original_name)


# ---------------------------------------------------------------- service-point agents


@login_required
def agent_applications(request: HttpRequest) -> HttpResponse:
    _require_role(request.user, Role.AGENT)
    form = OfflineApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        member = User.objects.filter(username=form.cleaned_data["member_username"]).first()
        if member is None:
            form.add_error("member_username", _("No member with this username."))
        else:
            try:
                loan = services.submit_application(
                    borrower=member, data=form.to_input(), agent=request.user,  # type: ignore[arg-type]
                    documents=form.documents(), consent_code=form.cleaned_data.get("consent_code") or "",
                )
            except ApplicationError as exc:
                field = exc.extra.get("field")
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Offline application %(id)s filed for %(u)s (status: %(s)s).")
                                 % {"id": loan.pk, "u": member.username, "s": loan.get_status_display()})
                return redirect("web:agent_applications")
    loans = selectors.loans_filed_by_agent(request.user)  # type: ignore[arg-type]
    return render(request, "web/lending/agent_applications.html", {"form": form, "loans": loans},
                  status=400 if form.errors else 200)
