"""Investor suitability pages: the risk questionnaire and the risk disclosure (thin: services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerlend.accounts.models import Role
from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.investing import questionnaire as q
from peerlend.investing import services
from peerlend.investing.selectors import DISCLOSURE_VERSION, suitability_of


class QuestionnaireForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in q.QUESTIONS:
            self.fields[question.key] = forms.ChoiceField(
                label=question.text, widget=forms.RadioSelect,
                choices=[(value, label) for value, label, _points in question.options],
                error_messages={"required": _("Choose one answer."),
                                "invalid_choice": _("Choose one of the answers shown.")},
            )


class DisclosureForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)
    read = forms.BooleanField(
        label=gettext_lazy("I have read the risk disclosure and understand that I may lose money."),
        error_messages={"required": gettext_lazy("Tick the box to confirm you have read it.")})


def _investor(request: HttpRequest) -> Any:
    user = request.user
    if not user.has_role(Role.INVESTOR):  # type: ignore[union-attr]
        raise DjangoPermissionDenied(_("This page is for investors."))
    return user


def _next(request: HttpRequest) -> str:
    """Where to return after the form: only a path on this site (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return target if ok and target.startswith("/") else ""


@login_required
def questionnaire(request: HttpRequest) -> HttpResponse:
    investor = _investor(request)
    today = business_date()
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.assess(investor, form.cleaned_data, today=today)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your risk level is %(level)s: you may invest in grades %(letters)s "
                                        "until %(until)s.") % {
                "level": q.level_label(result.level), "letters": ", ".join(q.allowed_letters(result.level)),
                "until": result.expires_on.isoformat()})
            target = _next(request)
            if not suitability_of(investor, today).acknowledged:
                url = reverse("web:risk_disclosure")
                return redirect(f"{url}?{urlencode({'next': target})}" if target else url)
            return redirect(target or "web:risk_questionnaire")
    return render(request, "web/investing/questionnaire.html", {
        "form": form, "suitability": suitability_of(investor, today), "next": _next(request),
        "levels": [(label, ", ".join(q.allowed_letters(value))) for value, label in q.RiskLevel.choices],
    })


@login_required
def disclosure(request: HttpRequest) -> HttpResponse:
    investor = _investor(request)
    form = DisclosureForm(request.POST or None, initial={"version": DISCLOSURE_VERSION})
    if request.method == "POST" and form.is_valid():
        try:
            services.acknowledge_disclosure(investor, version=form.cleaned_data["version"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you: your acknowledgement of the risk disclosure is recorded."))
            return redirect(_next(request) or "web:marketplace")
    return render(request, "web/investing/disclosure.html", {
        "form": form, "version": DISCLOSURE_VERSION, "next": _next(request),
        "suitability": suitability_of(investor, business_date()),
    })
