"""The platform's business date.

Schedules, listings and batches run on the business date, not the wall clock: ``peerlend
run-day`` advances it, and tests set it explicitly with ``set_business_date``. Until a
date has been set, it is today's date in the platform's time zone.
"""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def business_date() -> date:
    from peerlend.servicing.models import PlatformCalendar

    row = PlatformCalendar.objects.order_by("pk").first()
    return row.business_date if row else timezone.localdate()


def set_business_date(day: date) -> None:
    from peerlend.servicing.models import PlatformCalendar

    updated = PlatformCalendar.objects.update(business_date=day)
    if not updated:
        PlatformCalendar.objects.create(business_date=day)
