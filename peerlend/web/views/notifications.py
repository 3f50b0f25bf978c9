"""The member's notification channels (thin): the inbox always, e-mail and SMS as they choose."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerlend.servicing import notices


class PreferencesForm(forms.Form):
    email = forms.BooleanField(label=gettext_lazy("Also by e-mail"), required=False)
    sms = forms.BooleanField(label=gettext_lazy("Also by SMS"), required=False)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    current = notices.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, initial={"email": current.email, "sms": current.sms})
    if request.method == "POST" and form.is_valid():
        notices.set_preferences(request.user, email=form.cleaned_data["email"], sms=form.cleaned_data["sms"])
        messages.success(request, _("Your notification settings were saved."))
        return redirect("web:notification_preferences")
    return render(request, "web/servicing/notification_preferences.html", {"form": form})
