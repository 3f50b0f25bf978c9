"""Per-loan disclosure pages that add facts: an officer's dated fact, the borrower's use of funds.

What investors read is on the loan page itself (``{% loan_disclosure loan %}``). A GET never writes.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from peerlend.disclosure.loan_facts import selectors, services
from peerlend.errors import ApplicationError, NotFound
from peerlend.lending.models import Loan
from peerlend.web.forms_disclosure import LoanFactForm, UseOfFundsForm


def _loan_or_404(loan_id: int) -> Loan:
    loan = Loan.objects.filter(pk=loan_id).first()
    if loan is None:
        raise Http404(_("loan %(id)s does not exist") % {"id": loan_id})
    return loan


@login_required
def record_fact(request: HttpRequest, loan_id: int) -> HttpResponse:
    """Risk officers and collections agents add a dated fact (audited)."""
    if not selectors.can_record_facts(request.user):
        raise DjangoPermissionDenied(_("This page is for risk officers and collections agents."))
    loan = _loan_or_404(loan_id)
    form = LoanFactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.record_fact(actor=request.user, loan_id=loan.pk, kind=d["kind"],  # type: ignore[arg-type]
                                 body=d["body"], visible_from=d["visible_from"])
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:loan_fact_record", loan_id=loan.pk)
        messages.success(request, _("The fact is recorded; investors in the loan see it from its date."))
        return redirect("web:loan_detail", loan_id=loan.pk)
    # Officers see every fact, those shown to investors later included.
    return render(request, "web/disclosure_public/record_fact.html",
                  {"form": form, "loan": loan, "facts": selectors.visible_facts(loan, date.max)})


@login_required
def use_of_funds(request: HttpRequest, loan_id: int) -> HttpResponse:
    """The borrower of a paid-out loan reports how the money was used; nobody else may."""
    loan = Loan.objects.filter(pk=loan_id, borrower=request.user).first()  # type: ignore[misc]
    if loan is None:
        raise Http404(_("loan %(id)s does not exist") % {"id": loan_id})
    form = UseOfFundsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_use_of_funds(borrower=request.user, loan_id=loan.pk,  # type: ignore[arg-type]
                                         body=form.cleaned_data["body"])
        except NotFound as exc:
            raise Http404(exc.message) from None
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("web:loan_use_of_funds", loan_id=loan.pk)
        messages.success(request, _("Thank you: investors in your loan can read it now."))
        return redirect("web:loan_detail", loan_id=loan.pk)
    return render(request, "web/disclosure_public/use_of_funds.html", {"form": form, "loan": loan})
