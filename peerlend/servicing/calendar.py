"""The stored business date (one ``PlatformCalendar`` row), registered with ``peerlend.clock``."""

from __future__ import annotations

from datetime import date

from peerlend.clock import CalendarStore
from peerlend.servicing.models import PlatformCalendar


def read_business_date() -> date | None:
    row = PlatformCalendar.objects.order_by("pk").first()
    return row.business_date if row else None


def write_business_date(day: date) -> None:
    updated = PlatformCalendar.objects.update(business_date=day)
    if not updated:
        PlatformCalendar.objects.create(business_date=day)


STORE = CalendarStore(read=read_business_date, write=write_business_date)
