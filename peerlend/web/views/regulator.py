"""The regulator console (issue 16 part 5): read-only pages, every read logged (``regulator_read``).

Loan and member search show PII masked; a member file shows it in clear only for the one answer that
carries a justification, which the access log records with the read.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy

from peerlend.accounts.models import Role
from peerlend.compliance.models import AuditEvent
from peerlend.compliance.models_regulator import MAX_REASON
from peerlend.compliance.regulator import access
from peerlend.compliance.selectors import verify_chains
from peerlend.disclosure.regulator import search
from peerlend.domain.lifecycle import LoanStatus
from peerlend.web.forms_lending import _BootstrapForm
from peerlend.web.labels import label
from peerlend.web.views.regulator_access import AccessNote, regulator_read

PAGE_ROWS = 100
MAX_ID = 2**63 - 1


class LoanSearchForm(_BootstrapForm):
    loan_id = forms.IntegerField(label=gettext_lazy("Loan number"), required=False, min_value=1, max_value=MAX_ID)
    borrower_id = forms.IntegerField(label=gettext_lazy("Borrower (member number)"), required=False, min_value=1,
                                     max_value=MAX_ID)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    grade = forms.CharField(label=gettext_lazy("Grade"), required=False, max_length=2)
    disbursed_from = forms.DateField(label=gettext_lazy("Disbursed from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    disbursed_to = forms.DateField(label=gettext_lazy("Disbursed to"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "—"), *((s.value, label(s.value, "loan_status")) for s in LoanStatus)]


class MemberSearchForm(_BootstrapForm):
    q = forms.CharField(label=gettext_lazy("Member number, username, resident ID or mobile"), required=False,
                        max_length=64)
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False,
                             choices=[("", "—"), *((r.value, r.label) for r in Role)])


class JustificationForm(_BootstrapForm):
    reason = forms.CharField(label=gettext_lazy("Why you need this member's personal data"), min_length=10,
                             max_length=MAX_REASON, widget=forms.Textarea(attrs={"rows": 2}))


@regulator_read(access.CONSOLE)
def console(request: HttpRequest, note: AccessNote) -> HttpResponse:
    return render(request, "web/regulator/console.html", {})


@regulator_read(access.LOAN_SEARCH)
def loans(request: HttpRequest, note: AccessNote) -> HttpResponse:
    form = LoanSearchForm(request.GET or None)
    rows: list[dict[str, Any]] = []
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        d = form.cleaned_data if form.is_bound else {}
        rows = search.search_loans(search.LoanQuery(
            loan_id=d.get("loan_id"), borrower_id=d.get("borrower_id"), status=d.get("status") or "",
            grade=(d.get("grade") or "").upper(), disbursed_from=d.get("disbursed_from"),
            disbursed_to=d.get("disbursed_to")))
    return render(request, "web/regulator/loans.html", {"form": form, "rows": rows, "max_rows": search.MAX_ROWS},
                  status=status)


@regulator_read(access.MEMBER_SEARCH)
def members(request: HttpRequest, note: AccessNote) -> HttpResponse:
    form = MemberSearchForm(request.GET or None)
    rows: list[dict[str, Any]] = []
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        rows = search.search_members(search.MemberQuery(text=form.cleaned_data["q"],
                                                        role=form.cleaned_data["role"]))
    return render(request, "web/regulator/members.html", {"form": form, "rows": rows, "max_rows": search.MAX_ROWS},
                  status=status)


@regulator_read(access.MEMBER_VIEW)
def member(request: HttpRequest, note: AccessNote, user_id: int) -> HttpResponse:
    note.target = ("accounts.user", str(user_id))
    asked = "reason" in request.GET
    form = JustificationForm(request.GET if asked else None)
    unmasked = asked and form.is_valid()
    if unmasked:
        note.action, note.reason = access.MEMBER_UNMASKED, form.cleaned_data["reason"]
    found = search.member_file(user_id, unmasked=unmasked)
    if found is None:
        raise Http404("no such member")
    return render(request, "web/regulator/member.html", {"file": found, "form": form},
                  status=400 if asked and not unmasked else 200)


@regulator_read(access.AUDIT_LOG)
def audit_log(request: HttpRequest, note: AccessNote) -> HttpResponse:
    events = AuditEvent.objects.order_by("-id")
    action = request.GET.get("action", "")[:64]
    if action:
        events = events.filter(action=action)
    page = Paginator(events, PAGE_ROWS).get_page(request.GET.get("page"))
    audit_chain, access_chain = verify_chains()  # the audit log's and the regulator access log's
    violations = audit_chain.violations + access_chain.violations
    return render(request, "web/regulator/audit.html", {
        "page": page, "violations": violations, "action": action, "total": audit_chain.count,
        "access_total": access_chain.count})


@regulator_read(access.ACCESS_LOG)
def access_log(request: HttpRequest, note: AccessNote) -> HttpResponse:
    page = Paginator(access.access_log(), PAGE_ROWS).get_page(request.GET.get("page"))
    return render(request, "web/regulator/access_log.html", {"page": page})
