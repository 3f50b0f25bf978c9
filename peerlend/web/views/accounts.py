"""Pages of the accounts context: register, log in / out, KYC, agent console. Thin: forms only shape input."""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from peerlend.accounts import kyc as kyc_rules
from peerlend.accounts import selectors, services
from peerlend.accounts.kyc import KYC_UNDER_REVIEW
from peerlend.accounts.models import IdentityKind, IdentityReview, User
from peerlend.clock import business_date
from peerlend.errors import ApplicationError
from peerlend.marketing.referrals import signup as referral_signup
from peerlend.web.dashboard import landing_url


class _BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class RegisterForm(_BootstrapForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email (optional)"), required=False)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, max_length=256)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, max_length=256)
    referral_code = forms.CharField(label=_("Referral code (optional)"), max_length=16, required=False)
    accept_terms = forms.BooleanField(
        label=_("I have read and accept the terms of service and the privacy notice"),
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Accept the terms of service and the privacy notice to register.")})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data

    def clean_referral_code(self) -> str:
        return _clean_referral_code(self.cleaned_data.get("referral_code", ""))


def _clean_referral_code(raw: str) -> str:
    """An optional referral code (issue 15 part 4): empty, or a code some member holds."""
    if raw.strip() and referral_signup.referrer_of(raw) is None:
        raise forms.ValidationError(referral_signup.unknown_code().message)
    return raw.strip()


def _device_hash(request: HttpRequest) -> str:
    from peerlend.marketing.referrals.devices import device_hash

    return device_hash(request.META.get("HTTP_USER_AGENT", ""), request.META.get("REMOTE_ADDR", ""))


class KycForm(_BootstrapForm):
    kind = forms.ChoiceField(label=_("Verify as"), choices=IdentityKind.choices, initial=IdentityKind.PERSON,
                             required=False, widget=forms.Select(attrs={"class": "form-select"}))
    real_name = forms.CharField(label=_("Real name"), max_length=64,
                                help_text=_("For a company: the legal representative's name."))
    resident_id = forms.CharField(label=_("Resident ID number"), max_length=32,
                                  help_text=_("For a company: the legal representative's resident ID number."))
    mobile = forms.CharField(label=_("Mobile number"), max_length=32)
    bank_card = forms.CharField(label=_("Bank card number"), max_length=32)
    company_name = forms.CharField(label=_("Company name"), max_length=120, required=False,
                                   help_text=_("Companies only: the name on the business licence."))
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=32, required=False,
                                  help_text=_("Companies only: the 18-character code on the business licence."))

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or IdentityKind.PERSON


KYC_FIELDS = ("real_name", "resident_id", "mobile", "bank_card", "company_name", "credit_code")


class AgentRegisterForm(KycForm):
    """No password here: the member chooses it through a one-time link (the agent never knows it)."""

    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email (optional)"), required=False,
                             help_text=_("The link to choose a password goes to this address and by SMS "
                                         "to the mobile number."))
    referral_code = forms.CharField(label=_("Referral code (optional)"), max_length=16, required=False)

    field_order = ["username", "email"]

    def clean_referral_code(self) -> str:
        return _clean_referral_code(self.cleaned_data.get("referral_code", ""))


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


def _attach_error(form: forms.Form, exc: ApplicationError) -> None:
    """Each field's message under its field (KYC names every bad field at once); the rest above the form."""
    per_field = exc.extra.get("errors") or {}
    if per_field:
        for field, message in per_field.items():
            form.add_error(field if field in form.fields else None, message)
        return
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def _check_filled_fields(form: KycForm) -> None:
    """A field was left empty: still check the filled ones, so every problem shows at once.

    Validation only (no attempt is counted, nothing is written); the empty fields keep Django's message.
    """
    values = {name: str(form.data.get(name, "")) for name in KYC_FIELDS}
    try:
        kyc_rules.clean_submission(kind=form.data.get("kind") or IdentityKind.PERSON, today=business_date(),
                                   **values)
    except ApplicationError as exc:
        for field, message in (exc.extra.get("errors") or {}).items():
            if field in form.fields and field not in form.errors and values.get(field, "").strip():
                form.add_error(field, message)


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return render(request, "web/accounts/refused.html", {"message": exc.message}, status=exc.status)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None, initial={"referral_code": request.GET.get("ref", "")[:16]})
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = services.register_member(username=form.cleaned_data["username"],
                                                password=form.cleaned_data["password"],
                                                email=form.cleaned_data["email"],
                                                accepted_terms=form.cleaned_data["accept_terms"])
                if form.cleaned_data.get("referral_code"):
                    referral_signup.record_signup(user, code=form.cleaned_data["referral_code"],
                                                  device_hash=_device_hash(request))
        except ApplicationError as exc:
            _attach_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Complete real-name verification to start investing or borrowing."))
            return redirect("web:kyc")
    return render(request, "web/accounts/register.html", {"form": form}, status=400 if form.errors else 200)


class LoginView(auth_views.LoginView):
    template_name = "web/accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # No safe ``next``: members land on their dashboard, staff on their own queue.
        return landing_url(self.request.user)


class LogoutView(auth_views.LogoutView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def kyc(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    identity = selectors.masked_identity(user)
    kyc_status = selectors.kyc_status(user)
    form = KycForm(request.POST or None) if kyc_status == "unverified" else None
    status = 200
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            result = services.submit_identity(user, **form.cleaned_data)
        except ApplicationError as exc:
            _attach_error(form, exc)
            status = exc.status if exc.status == 429 else 400
        else:
            if isinstance(result, IdentityReview):
                # The same answer whatever the reason: it must not tell who is on the platform.
                messages.info(request, KYC_UNDER_REVIEW)
            else:
                messages.success(request, _("Your identity is verified."))
            return redirect("web:kyc")
    if form is not None and request.method == "POST" and form.errors and status == 200:
        _check_filled_fields(form)
        status = 400
    return render(request, "web/accounts/kyc.html",
                  {"form": form, "identity": identity, "under_review": kyc_status == "under_review"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def agent_console(request: HttpRequest) -> HttpResponse:
    agent: User = request.user  # type: ignore[assignment]
    try:
        point = services.require_agent_point(agent)
    except ApplicationError as exc:
        return _refused(request, exc)
    form = AgentRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        referral_code = data.pop("referral_code", "")
        try:
            # With a referral code, the link is written with the registration (or neither is).
            with transaction.atomic() if referral_code else nullcontext():
                member = services.register_and_verify_offline(agent, service_point=point, **data)
                if referral_code:
                    referral_signup.record_signup(member, code=referral_code, agent=agent)
        except ApplicationError as exc:
            _attach_error(form, exc)
        else:
            if selectors.kyc_status(member) == "under_review":
                messages.info(request, _("Member %(username)s registered; the identity was submitted for review "
                                         "by compliance staff.") % {"username": member.username})
            else:
                messages.success(request, _("Member %(username)s registered and verified in person.")
                                 % {"username": member.username})
            messages.info(request, _("The member received a one-time link by SMS (and e-mail, if given) to "
                                     "choose their own password."))
            if referral_code:
                messages.info(request, _("Referral code %(code)s recorded: the referrer is rewarded after the "
                                         "member's first investment or first repaid installment.")
                              % {"code": referral_code})
            return redirect("web:agent_members")
    return render(request, "web/accounts/agent_console.html", {"form": form, "point": point},
                  status=400 if form.errors else 200)


@login_required
def agent_members(request: HttpRequest) -> HttpResponse:
    agent: User = request.user  # type: ignore[assignment]
    try:
        point = services.require_agent_point(agent)
    except ApplicationError as exc:
        return _refused(request, exc)
    members = selectors.members_registered_by(agent)[:200]
    return render(request, "web/accounts/agent_members.html", {"members": members, "point": point})
