"""The platform's business date.

Schedules, listings and batches run on the business date, not the wall clock: ``peerlend
run-day`` advances it, and tests set it explicitly with ``set_business_date``. Until a
date has been set, it is today's date in the platform's time zone.

The date is stored by servicing (the ``PlatformCalendar`` row), which sits above this shared
base: servicing registers its reader and writer at start-up (``ServicingConfig.ready``), so
this module imports nothing of the contexts that use it (DESIGN.md, Layers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


@dataclass(frozen=True)
class CalendarStore:
    """Where the business date is kept: ``read`` gives None while no date has been set."""

    read: Callable[[], date | None]
    write: Callable[[date], None]


_store: CalendarStore | None = None


def register_calendar(store: CalendarStore) -> None:
    global _store
    _store = store


def _registered() -> CalendarStore:
    if _store is None:
        # Never guess: a wrong business date would age loans and charge fees on the wrong day.
        raise ImproperlyConfigured("no business calendar registered (is peerlend.servicing installed?)")
    return _store


def business_date() -> date:
    stored = _registered().read()
    return stored if stored is not None else timezone.localdate()


def set_business_date(day: date) -> None:
    _registered().write(day)
