"""``{{ loan.status|label:"loan_status" }}``, ``{{ entry.reference|reference }}``: codes shown as words.

The tables live in ``peerlend.web.labels`` (one per kind of code, translated in both languages).
"""

from __future__ import annotations

from typing import Any

from django import template

from peerlend.web import labels

register = template.Library()


@register.filter(name="label")
def label(code: Any, table: str) -> str:
    return labels.label(code, table)


@register.filter(name="reference")
def reference(text: Any) -> str:
    return labels.reference(text)
