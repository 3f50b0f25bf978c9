"""Auto-invest pages: the investor's rules (list, create, edit, on/off, delete) and the activity log."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peerlend.accounts.models import Role
from peerlend.amount_input import parse_amount_input
from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError, NotFound
from peerlend.investing.autoinvest import selectors, services
from peerlend.investing.autoinvest.rules import GRADE_LETTERS, RuleInput, parse_reserve
from peerlend.investing.models_autoinvest import MAX_NOTES_PER_LOAN, MAX_RATE_BP, AutoInvestRule
from peerlend.lending.models import Channel, Purpose, RepaymentMethod
from peerlend.web.params import form_id

TERM_CHOICES = (3, 6, 9, 12, 18, 24, 36, 48, 60)
_AMOUNT_FIELDS = {"amount_per_note": "amount_per_note_minor", "max_per_loan": "max_per_loan_minor",
                  "cash_reserve": "cash_reserve_minor", "monthly_cap": "monthly_cap_minor"}


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=80)
    enabled = forms.BooleanField(label=gettext_lazy("On"), required=False, initial=True)
    grades = forms.MultipleChoiceField(
        label=gettext_lazy("Grades"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(g, g) for g in GRADE_LETTERS], help_text=gettext_lazy("None ticked: any grade."))
    terms = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Terms (months)"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        choices=[(t, str(t)) for t in TERM_CHOICES], help_text=gettext_lazy("None ticked: any term."))
    repayment_methods = forms.MultipleChoiceField(
        label=gettext_lazy("Repayment methods"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=RepaymentMethod.choices, help_text=gettext_lazy("None ticked: any method."))
    purposes = forms.MultipleChoiceField(
        label=gettext_lazy("Purposes"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=Purpose.choices, help_text=gettext_lazy("None ticked: any purpose."))
    channels = forms.MultipleChoiceField(
        label=gettext_lazy("Channels"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=Channel.choices, help_text=gettext_lazy("None ticked: online and offline."))
    min_rate = forms.DecimalField(
        label=gettext_lazy("Minimum annual rate (%)"), min_value=Decimal(0), max_value=Decimal(MAX_RATE_BP) / 100,
        decimal_places=2, initial=Decimal(0))
    amount_per_note = forms.CharField(label=gettext_lazy("Amount per note (CNY)"), max_length=20,
                                      help_text=gettext_lazy("A multiple of the note unit."))
    max_per_loan = forms.CharField(label=gettext_lazy("Maximum per loan (CNY)"), max_length=20)
    max_borrower_share = forms.DecimalField(
        label=gettext_lazy("Maximum share of your account per borrower (%)"), min_value=Decimal("0.01"),
        max_value=Decimal(100), decimal_places=2, initial=Decimal(2))
    cash_reserve = forms.CharField(label=gettext_lazy("Cash to keep uninvested (CNY)"), max_length=20,
                                   required=False, initial="0.00")
    monthly_cap = forms.CharField(label=gettext_lazy("Monthly cap (CNY)"), max_length=20, required=False,
                                  help_text=gettext_lazy("Empty: no monthly cap."))
    notes_per_loan = forms.IntegerField(label=gettext_lazy("Notes per loan"), min_value=1,
                                        max_value=MAX_NOTES_PER_LOAN, initial=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in _AMOUNT_FIELDS:
            if name in self.errors:
                continue
            raw = str(data.get(name) or "").strip()
            if name == "monthly_cap" and not raw:
                data[name] = None
            else:
                try:  # keeping nothing back is allowed; other amounts must be positive
                    data[name] = parse_reserve(raw) if name == "cash_reserve" else parse_amount_input(raw, field=name)
                except ApplicationError as exc:
                    self.add_error(name, exc.message)
        return data

    def rule_input(self) -> RuleInput:
        d = self.cleaned_data
        return RuleInput(
            name=d["name"], enabled=d["enabled"], grades=list(d["grades"]), terms=list(d["terms"]),
            repayment_methods=list(d["repayment_methods"]), purposes=list(d["purposes"]),
            channels=list(d["channels"]), min_rate_bp=int(d["min_rate"] * 100),
            amount_per_note_minor=d["amount_per_note"], max_per_loan_minor=d["max_per_loan"],
            max_borrower_share_bp=int(d["max_borrower_share"] * 100), cash_reserve_minor=d["cash_reserve"],
            monthly_cap_minor=d["monthly_cap"], notes_per_loan=d["notes_per_loan"])


def initial_of(rule: AutoInvestRule) -> dict[str, Any]:
    return {
        "name": rule.name, "enabled": rule.enabled, "grades": rule.grades, "terms": rule.terms,
        "repayment_methods": rule.repayment_methods, "purposes": rule.purposes, "channels": rule.channels,
        "min_rate": Decimal(rule.min_rate_bp) / 100, "amount_per_note": format_minor(rule.amount_per_note_minor),
        "max_per_loan": format_minor(rule.max_per_loan_minor),
        "max_borrower_share": Decimal(rule.max_borrower_share_bp) / 100,
        "cash_reserve": format_minor(rule.cash_reserve_minor),
        "monthly_cap": format_minor(rule.monthly_cap_minor) if rule.monthly_cap_minor is not None else "",
        "notes_per_loan": rule.notes_per_loan,
    }


def _investor(request: HttpRequest) -> Any:
    user = request.user
    if not user.has_role(Role.INVESTOR):  # type: ignore[union-attr]
        raise DjangoPermissionDenied(_("This page is for investors."))
    return user


def _save(request: HttpRequest, form: RuleForm, rule: AutoInvestRule | None) -> bool:
    """Create or update from a valid form; False (with the refusal on the form) when the service refuses."""
    investor = request.user
    try:
        if rule is None:
            services.create_rule(investor, form.rule_input())  # type: ignore[arg-type]
        else:
            services.update_rule(investor, rule.pk, form.rule_input(),  # type: ignore[arg-type]
                                 version=form_id(request.POST.get("version")))
    except ApplicationError as exc:
        field_name = exc.extra.get("field")
        form.add_error(field_name if field_name in form.fields else None, exc.message)
        return False
    return True


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    investor = _investor(request)
    return render(request, "web/autoinvest/rules.html", {"rules": selectors.rules_of(investor)})


@login_required
def rule_new(request: HttpRequest) -> HttpResponse:
    _investor(request)
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save(request, form, None):
        messages.success(request, _("Auto-invest rule saved."))
        return redirect("web:auto_invest_rules")
    return render(request, "web/autoinvest/rule_form.html", {"form": form, "rule": None})


@login_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    investor = _investor(request)
    rule = selectors.rules_of(investor).filter(pk=rule_id).first()
    if rule is None:
        raise Http404(_("auto-invest rule %(id)s does not exist") % {"id": rule_id})
    form = RuleForm(request.POST or None, initial=initial_of(rule))
    if request.method == "POST" and form.is_valid() and _save(request, form, rule):
        messages.success(request, _("Auto-invest rule saved."))
        return redirect("web:auto_invest_rules")
    return render(request, "web/autoinvest/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_POST
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    investor = _investor(request)
    try:
        rule = services.set_enabled(investor, rule_id, request.POST.get("enabled") == "1",
                                    version=form_id(request.POST.get("version")))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Rule “%(name)s” is on.") % {"name": rule.name} if rule.enabled
                         else _("Rule “%(name)s” is off.") % {"name": rule.name})
    return redirect("web:auto_invest_rules")


@login_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    investor = _investor(request)
    try:
        services.delete_rule(investor, rule_id, version=form_id(request.POST.get("version")))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Auto-invest rule deleted."))
    return redirect("web:auto_invest_rules")


@login_required
def activity(request: HttpRequest) -> HttpResponse:
    investor = _investor(request)
    raw = request.GET.get("loan", "").strip()
    loan_id = form_id(raw) if raw else None
    bad_loan = bool(raw) and loan_id is None
    decisions = selectors.decisions_of(investor, loan_id=loan_id)
    return render(request, "web/autoinvest/activity.html", {
        "rows": selectors.decision_rows(decisions), "loan_id": loan_id, "bad_loan": bad_loan, "raw_loan": raw,
        "not_reached": selectors.not_reached(investor, loan_id) if loan_id else [],
        "limit": selectors.MAX_DECISIONS})
