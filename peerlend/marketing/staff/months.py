"""Months as the reports and commissions use them: the date of the first day, and their bounds."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from peerlend.errors import ApplicationError


def first_day(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def last_months(month: dt.date, count: int) -> list[dt.date]:
    """``count`` months ending with ``month``, oldest first."""
    out = [first_day(month)]
    while len(out) < count:
        out.insert(0, previous_month(out[0]))
    return out


def parse_month(text: str | None) -> dt.date:
    """``YYYY-MM`` -> the month's first day; anything else is a 400 ``invalid_month``."""
    try:
        year, month = str(text or "").strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        value = dt.date(int(year), int(month), 1)
    except ValueError:
        raise ApplicationError(_("Invalid month: write it as YYYY-MM."), code="invalid_month") from None
    if not 2000 <= value.year <= 2100:
        raise ApplicationError(_("Invalid month: write it as YYYY-MM."), code="invalid_month")
    return value


def datetime_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) as aware datetimes in the platform's time zone (for timestamps such as date_joined)."""
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz), dt.datetime.combine(end, dt.time.min, tzinfo=tz))
