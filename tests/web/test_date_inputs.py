"""Every browser date picker gets its value as YYYY-MM-DD: a date formatted for the page's language
(e.g. "2026年12月5日" on a Chinese page) is not a value an <input type="date"> accepts, so it showed empty."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil

from django import forms
from django.utils import translation

import peerlend.web


def _forms() -> list[type[forms.BaseForm]]:
    found: dict[str, type[forms.BaseForm]] = {}
    for info in pkgutil.walk_packages(peerlend.web.__path__, "peerlend.web."):
        if "templatetags" in info.name or "migrations" in info.name:
            continue
        module = importlib.import_module(info.name)
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return list(found.values())


def _date_pickers() -> list[tuple[str, forms.DateInput]]:
    return [(f"{form.__name__}.{name}", field.widget) for form in _forms()
            for name, field in form.base_fields.items()
            if isinstance(field.widget, forms.DateInput) and field.widget.input_type == "date"]


def test_the_web_forms_have_date_pickers() -> None:
    assert len(_date_pickers()) >= 5


def test_every_date_picker_renders_iso_dates_in_chinese() -> None:
    with translation.override("zh-hans"):
        for name, widget in _date_pickers():
            html = widget.render("d", dt.date(2026, 12, 5))
            assert 'value="2026-12-05"' in html, (name, html)
