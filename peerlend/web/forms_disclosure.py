"""Forms of the disclosure pages: a risk-event notice, an officer's loan fact, a borrower's use of funds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerlend.disclosure.events.selectors import published_events
from peerlend.disclosure.events.services import EventInput
from peerlend.disclosure.models_events import (
    MAX_BODY,
    MAX_FACT_BODY,
    MAX_TITLE,
    OFFICER_FACT_KINDS,
    EventCategory,
    EventLanguage,
    EventSeverity,
    FactKind,
)
from peerlend.disclosure.monthly.related import MAX_REASON
from peerlend.web.forms_lending import _BootstrapForm


class RiskEventForm(_BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=MAX_TITLE)
    body = forms.CharField(label=_("Text of the notice"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Shown as typed, in the language chosen below."))
    language = forms.ChoiceField(label=_("Language of the text"), choices=EventLanguage.choices)
    category = forms.ChoiceField(label=_("Category"), choices=EventCategory.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=EventSeverity.choices)
    occurred_on = forms.DateField(label=_("Date of the event"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    follows = forms.TypedChoiceField(label=_("Follows up on (a correction or an update)"), required=False,
                                     coerce=int, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["follows"].choices = [("", "—")] + [
            (e.pk, f"#{e.pk} {e.published_on:%Y-%m-%d} {e.title}"[:120]) for e in published_events()]

    def to_input(self) -> EventInput:
        d = self.cleaned_data
        return EventInput(title=d["title"], body=d["body"], category=d["category"], severity=d["severity"],
                          occurred_on=d["occurred_on"], language=d["language"], follows_id=d["follows"])


class LoanFactForm(_BootstrapForm):
    kind = forms.ChoiceField(label=_("Kind of fact"),
                             choices=[(k, FactKind(k).label) for k in OFFICER_FACT_KINDS])
    body = forms.CharField(label=_("What investors are told"), max_length=MAX_FACT_BODY,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("No names, ID numbers or phone numbers: investors read this."))
    visible_from = forms.DateField(label=_("Shown to investors from (business date; empty: today)"),
                                   required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class UseOfFundsForm(_BootstrapForm):
    body = forms.CharField(label=_("How the money was used"), max_length=MAX_FACT_BODY,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("Investors in your loan read this, dated today."))


class RelatedPartyFlagForm(_BootstrapForm):
    """Flag a member as a related party of the platform (``disclosure.monthly.related.flag_related_party``)."""

    username = forms.CharField(label=_("Member's username"), max_length=150)
    since = forms.DateField(label=_("Related party from (business date)"),
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON,
                             error_messages={"required": _("Give the reason (at most 200 characters).")},
                             help_text=_("For example: shareholder, director, employee or their close family."))


class RelatedPartyEndForm(_BootstrapForm):
    """End a member's related-party flag (``disclosure.monthly.related.end_related_party``)."""

    until = forms.DateField(label=_("Ends on (business date)"),
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON,
                             error_messages={"required": _("Give the reason (at most 200 characters).")})
