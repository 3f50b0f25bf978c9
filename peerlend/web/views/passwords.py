"""Pages for choosing a password (new in-person members, reset), the legal texts, and consent codes. Thin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from peerlend.accounts import consent, passwords, terms
from peerlend.accounts.models import User
from peerlend.errors import ApplicationError


class ResetRequestForm(forms.Form):
    login = forms.CharField(label=_("Username or e-mail"), max_length=254,
                            widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "username"}))


class MemberSetPasswordForm(SetPasswordForm):
    """Django's set-password form, plus the terms for a member who has not accepted them yet (in person)."""

    accept_terms = forms.BooleanField(
        label=_("I have read and accept the terms of service and the privacy notice"), required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        for name in ("new_password1", "new_password2"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")
        if terms.has_accepted_current(user):
            del self.fields["accept_terms"]
        else:
            self.fields["accept_terms"].required = True

    def save(self, commit: bool = True) -> Any:
        user = super().save(commit)
        if commit and "accept_terms" in self.fields:
            terms.record_acceptance(user)
        return user


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Throttled per member in the database (passwords.RESET_REQUESTS_PER_HOUR), whichever process answers.
        passwords.request_password_reset(form.cleaned_data["login"])
        # The same answer whoever asked: the page must not tell who is a member.
        return render(request, "web/accounts/password_reset.html", {"form": None, "sent": True})
    return render(request, "web/accounts/password_reset.html", {"form": form}, status=400 if form.errors else 200)


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The one-time link: a member registered in person, or one who asked for a reset, chooses a password."""

    template_name = "web/accounts/password_set.html"
    form_class = MemberSetPasswordForm
    success_url = reverse_lazy("web:login")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Log in with it now."))
        return response


def terms_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/legal/terms.html", {"version": terms.CURRENT_VERSIONS["terms"]})


def privacy_page(request: HttpRequest) -> HttpResponse:
    return render(request, "web/legal/privacy.html", {"version": terms.CURRENT_VERSIONS["privacy"]})


@login_required
@require_POST
def agent_consent_code(request: HttpRequest) -> HttpResponse:
    """An agent asks a member for a one-time consent code (sent to the member only)."""
    try:
        member = consent.request_consent_code(request.user, request.POST.get("member_username", "")[:150])  # type: ignore[arg-type]
    except ApplicationError as exc:
        if exc.status == 403 and exc.code in ("forbidden_role", "not_agent_of_point"):
            return render(request, "web/accounts/refused.html", {"message": exc.message}, status=403)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A consent code was sent to %(username)s. Ask them to read it out to you.")
                         % {"username": member.username})
    return redirect("web:agent_applications")
