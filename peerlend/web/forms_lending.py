"""Forms of the marketplace pages; they only parse input, services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from peerlend.amount_input import parse_amount_input
from peerlend.domain.money import format_grouped
from peerlend.errors import ApplicationError
from peerlend.lending.models import Housing, LoanDocument, Purpose, RepaymentMethod
from peerlend.lending.services import (
    DOCUMENT_TYPES,
    FACT_RANGES,
    MAX_ANNUAL_INCOME_MINOR,
    MAX_MONTHLY_DEBT_MINOR,
    MAX_UTILISATION_PCT,
    ApplicationInput,
    UploadedDocument,
)


class AmountField(forms.CharField):
    """A money amount typed in major units; kept as integer minor units (never a float)."""

    def __init__(self, *args: Any, max_minor: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_minor = max_minor

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in (None, "") and not self.required:
            return None
        try:  # a required amount left blank is refused here too, in the words every form and API route use
            minor = parse_amount_input(text)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        if self.max_minor is not None and minor > self.max_minor:
            raise forms.ValidationError(_("At most %(max)s CNY.") % {"max": format_grouped(self.max_minor)})
        return minor


# Formatted when shown, in the reader's language: ``gettext_lazy(...) % {...}`` formats once, at import.
_term_label = lazy(lambda m: gettext("%(m)d months") % {"m": m}, str)


def _count(name: str, label: Any, **kwargs: Any) -> forms.IntegerField:
    """A count with the range the service enforces (lending.services.FACT_RANGES)."""
    lo, hi = FACT_RANGES[name]
    return forms.IntegerField(label=label, min_value=lo, max_value=hi, **kwargs)


class _BootstrapForm(forms.Form):
    """web/_form.html renders selects itself; every other widget gets Bootstrap's form-control class here."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class ApplicationForm(_BootstrapForm):
    amount = AmountField(label=_("Amount (CNY)"), help_text=_("A multiple of 50.00; at least 1,000.00"))
    term_months = forms.TypedChoiceField(
        label=_("Term"), coerce=int, choices=[(m, _term_label(m)) for m in (3, 6, 9, 12, 18, 24, 36)]
    )
    repayment_method = forms.ChoiceField(label=_("Repayment method"), choices=RepaymentMethod.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    # No borrower type field: it comes from the member's verified identity (person or company).
    annual_income = AmountField(label=_("Annual income (CNY)"), max_minor=MAX_ANNUAL_INCOME_MINOR)
    employment_years = _count("employment_years", _("Years employed"), required=False)
    housing = forms.ChoiceField(label=_("Housing"), choices=Housing.choices)
    monthly_debt_payments = AmountField(label=_("Monthly debt payments (CNY)"), required=False,
                                        max_minor=MAX_MONTHLY_DEBT_MINOR)
    region = forms.CharField(label=_("Province / region"), max_length=20, required=False)
    delinq_2yrs = _count("delinq_2yrs", _("Late payments (30+ days) in the last 2 years"), initial=0)
    inq_last_6mths = _count("inq_last_6mths", _("Credit inquiries in the last 6 months"), initial=0)
    # Django's DecimalField refuses NaN and Infinity itself.
    revol_util_pct = forms.DecimalField(
        label=_("Credit card utilisation (%)"), min_value=0, max_value=MAX_UTILISATION_PCT, required=False,
        decimal_places=2, max_digits=5,
    )
    open_il_12m = _count("open_il_12m", _("Installment loans opened in the last 12 months"), required=False)
    num_il_tl = _count("num_il_tl", _("Installment loans ever held"), required=False)

    def to_input(self) -> ApplicationInput:
        d = self.cleaned_data
        return ApplicationInput(
            amount_minor=d["amount"],
            term_months=d["term_months"],
            repayment_method=d["repayment_method"],
            purpose=d["purpose"],
            title=d["title"],
            description=d["description"],
            annual_income_minor=d["annual_income"],
            employment_years=d["employment_years"],
            housing=d["housing"],
            monthly_debt_payments_minor=d["monthly_debt_payments"] or 0,
            region=d["region"],
            delinq_2yrs=d["delinq_2yrs"] or 0,
            inq_last_6mths=d["inq_last_6mths"] or 0,
            revol_util_pct=d["revol_util_pct"],
            open_il_12m=d["open_il_12m"],
            num_il_tl=d["num_il_tl"],
        )


class OfflineApplicationForm(ApplicationForm):
    """Filed by an agent for a member whose identity and documents were checked in person."""

    member_username = forms.CharField(label=_("Member's username"), max_length=150)
    # Needed only for a member not registered or verified at the agent's service point.
    consent_code = forms.CharField(
        label=_("Member's consent code"), max_length=12, required=False,
        help_text=_("Only for members registered elsewhere: the code the member received and reads out to you."))
    income_document = forms.FileField(label=_("Proof of income (checked in person)"), required=False)
    other_document = forms.FileField(label=_("Other document"), required=False)

    field_order = ["member_username", "consent_code"]

    def clean(self) -> dict[str, Any]:
        # A wrong file type is a form error shown next to the field, not an exception in the view.
        data = super().clean() or {}
        for name in ("income_document", "other_document"):
            upload = data.get(name)
            if upload and upload.content_type not in DOCUMENT_TYPES:
                self.add_error(name, _("Documents must be PDF, JPEG or PNG files."))
        return data

    def documents(self) -> list[UploadedDocument]:
        docs = []
        for name, kind in (("income_document", LoanDocument.Kind.INCOME), ("other_document", LoanDocument.Kind.OTHER)):
            upload = self.cleaned_data.get(name)
            if upload:
                if upload.content_type not in DOCUMENT_TYPES:
                    raise forms.ValidationError(_("Documents must be PDF, JPEG or PNG files."))
                docs.append(UploadedDocument(kind, upload.name, upload.content_type, upload.read()))
        return docs


class InvestForm(_BootstrapForm):
    amount = AmountField(label=_("Amount (CNY)"))
    # An investment coupon (cash voucher or rate boost) applied at checkout (issue 15).
    coupon_code = forms.CharField(label=_("Coupon code (optional)"), required=False, max_length=32)
    # One key per rendered form: a double click or a resubmitted page replays, never doubles.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class DecisionForm(_BootstrapForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject")),
                                          ("request_documents", _("Ask for documents"))])
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                             max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)
