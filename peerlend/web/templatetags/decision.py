"""The decision note of a loan as the viewing user may see it (see ``lending.decision_note``)."""

from __future__ import annotations

from typing import Any

from django import template

from peerlend.lending.decision_note import can_read_note, decision_note_for

register = template.Library()


@register.simple_tag
def decision_note(loan: Any, user: Any) -> str:
    """``{% decision_note loan user as note %}``: the note for staff, a generic label for the borrower, else ""."""
    return decision_note_for(loan, user)


@register.filter
def reads_decision_notes(user: Any) -> bool:
    return can_read_note(user)
