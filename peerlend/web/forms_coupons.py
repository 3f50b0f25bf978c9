"""Forms of the coupon pages (issue 15 part 3): the operator's template, issuing, redeeming."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerlend.lending.models import RepaymentMethod
from peerlend.marketing.coupons.templates import GRADE_LETTERS, MAX_NAME, TemplateInput
from peerlend.marketing.models_coupons import (
    MAX_BOOST_MONTHS,
    MAX_COUPON_VALUE_MINOR,
    MAX_MIN_AMOUNT_MINOR,
    MAX_POINTS_COST,
    CouponChannel,
    CouponKind,
)
from peerlend.web.forms_lending import AmountField, _BootstrapForm

TERMS = (3, 6, 9, 12, 18, 24, 36)


class TemplateForm(_BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    kind = forms.ChoiceField(label=_("Kind"), choices=CouponKind.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=CouponChannel.choices,
                                help_text=_("Investment coupons are never offered offline (service points)."))
    value = AmountField(label=_("Value (CNY; not for a rate boost)"), required=False, max_minor=MAX_COUPON_VALUE_MINOR)
    boost_rate = forms.DecimalField(label=_("Extra annual rate (%, rate boost only, at most 5)"), required=False,
                                    min_value=Decimal("0.01"), max_value=Decimal(5), decimal_places=2)
    boost_months = forms.IntegerField(label=_("Boost months (rate boost only, 1-36)"), required=False,
                                      min_value=1, max_value=MAX_BOOST_MONTHS)
    min_amount = AmountField(label=_("Minimum amount (CNY, optional)"), required=False,
                             max_minor=MAX_MIN_AMOUNT_MINOR)
    grades = forms.MultipleChoiceField(label=_("Eligible grades (none: all)"), required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       choices=[(g, g) for g in GRADE_LETTERS])
    terms = forms.TypedMultipleChoiceField(label=_("Eligible terms (none: all)"), required=False, coerce=int,
                                           widget=forms.CheckboxSelectMultiple, choices=[(t, t) for t in TERMS])
    methods = forms.MultipleChoiceField(label=_("Eligible repayment methods (none: all)"), required=False,
                                        widget=forms.CheckboxSelectMultiple, choices=RepaymentMethod.choices)
    valid_from = forms.DateField(label=_("Valid from (business date)"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    valid_until = forms.DateField(label=_("Valid until (business date)"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    points_cost = forms.IntegerField(label=_("Points cost (0: not sold for points)"), initial=0, min_value=0,
                                     max_value=MAX_POINTS_COST)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("grades", "terms", "methods"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def to_input(self) -> TemplateInput:
        d = self.cleaned_data
        rate = d.get("boost_rate")
        return TemplateInput(
            name=d["name"], kind=d["kind"], channel=d["channel"], valid_from=d["valid_from"],
            valid_until=d["valid_until"], value_minor=d.get("value") or 0,
            boost_rate=(rate / Decimal(100)) if rate else Decimal(0), boost_months=d.get("boost_months") or 0,
            min_amount_minor=d.get("min_amount") or 0, eligible_grades=list(d["grades"]),
            eligible_terms=list(d["terms"]), eligible_methods=list(d["methods"]), points_cost=d["points_cost"] or 0)


class IssueForm(_BootstrapForm):
    template = forms.IntegerField(label=_("Template number"), min_value=1)
    member = forms.CharField(label=_("Member (username)"), max_length=150)
    reason = forms.CharField(label=_("Reason"), max_length=500)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RedeemForm(_BootstrapForm):
    code = forms.CharField(label=_("Coupon code"), max_length=32)
    loan = forms.IntegerField(label=_("Loan number (fee discounts only)"), required=False, min_value=1)


class FeeDiscountForm(_BootstrapForm):
    loan = forms.TypedChoiceField(label=_("Loan"), coerce=int)
