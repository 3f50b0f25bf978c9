"""Forms of the service-point network pages (issue 15 part 6). They shape input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerlend.accounts.models import AgentMembership
from peerlend.accounts.network import points
from peerlend.accounts.network.fieldwork import MAX_PHOTOS, PHOTO_TYPES, Photo
from peerlend.accounts.network.models import (
    MAX_COUNTED_MINOR,
    MAX_COUNTER_MINOR,
    MAX_NOTES,
    CheckItem,
    CheckResult,
    CounterMethod,
    FieldResult,
    VisitPurpose,
)
from peerlend.web.forms_lending import AmountField, _BootstrapForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PointForm(_BootstrapForm):
    code = forms.CharField(label=_("Code"), max_length=points.MAX_CODE)
    name = forms.CharField(label=_("Name"), max_length=points.MAX_NAME)
    city = forms.CharField(label=_("City"), max_length=points.MAX_CITY)
    address = forms.CharField(label=_("Address"), max_length=points.MAX_ADDRESS, required=False)
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=points.MAX_HOURS, required=False,
                                    help_text=_("For example: Mon-Sat 9:00-18:00"))
    phone = forms.CharField(label=_("Point phone"), max_length=points.MAX_PHONE, required=False)
    active = forms.BooleanField(label=_("Open (shown on the store locator)"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["active"].widget.attrs["class"] = "form-check-input"

    def to_input(self) -> points.PointInput:
        d = self.cleaned_data
        return points.PointInput(code=d["code"], name=d["name"], city=d["city"], address=d["address"],
                                 opening_hours=d["opening_hours"], phone=d["phone"], active=bool(d["active"]))


class StaffForm(_BootstrapForm):
    username = forms.CharField(label=_("Staff username"), max_length=150)
    role = forms.ChoiceField(label=_("Role at the point"), choices=AgentMembership.PointRole.choices)
    reason = forms.CharField(label=_("Reason (kept in the audit log)"), max_length=500)


class VisitForm(_BootstrapForm):
    member_username = forms.CharField(label=_("Member username"), max_length=150)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=VisitPurpose.choices)
    loan_id = forms.IntegerField(label=_("Loan number (follow-up and collection visits)"), required=False,
                                 min_value=1)
    visited_on = forms.DateField(label=_("Visit date"), widget=DATE)
    notes = forms.CharField(label=_("Notes"), max_length=MAX_NOTES, required=False, widget=forms.Textarea(
        attrs={"rows": 3}))


class FieldVerificationForm(_BootstrapForm):
    visited_on = forms.DateField(label=_("Visit date"), widget=DATE)
    result = forms.ChoiceField(label=_("Overall result"), choices=FieldResult.choices)
    notes = forms.CharField(label=_("Notes"), max_length=MAX_NOTES, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One result and note per item checked (residence, workplace, income documents, collateral).
        for value, label in CheckItem.choices:
            self.fields[f"check_{value}"] = forms.ChoiceField(label=label, choices=CheckResult.choices,
                                                              initial=CheckResult.NOT_CHECKED)
            self.fields[f"note_{value}"] = forms.CharField(
                label=_("Notes: %(item)s") % {"item": label}, max_length=500, required=False,
                widget=forms.TextInput(attrs={"class": "form-control"}))

    def checks(self) -> dict[str, tuple[str, str]]:
        d = self.cleaned_data
        return {value: (d[f"check_{value}"], d.get(f"note_{value}") or "") for value in CheckItem.values}


def photos_from(files: Any) -> list[Photo]:
    """The uploaded photos (``photos`` input, several files); the service checks type, content and size."""
    return [Photo(f.name, f.content_type, f.read()) for f in files.getlist("photos")][:MAX_PHOTOS + 1]


PHOTO_ACCEPT = ",".join(PHOTO_TYPES)


class CounterForm(_BootstrapForm):
    loan_id = forms.IntegerField(label=_("Loan number"), min_value=1)
    amount = AmountField(label=_("Amount received (CNY)"), max_minor=MAX_COUNTER_MINOR)
    method = forms.ChoiceField(label=_("Paid by"), choices=CounterMethod.choices)
    # One key per rendered form: a double submit (or a retry) takes the payment once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class DayCloseForm(_BootstrapForm):
    day = forms.DateField(label=_("Business day"), widget=DATE)
    counted = AmountField(label=_("Cash counted and deposited (CNY)"), max_minor=MAX_COUNTED_MINOR, required=False,
                          help_text=_("Leave empty when no cash was taken."))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
