"""Months, month-ends and working days for disclosure (pure date arithmetic, no wall clock)."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext

from peerlend.errors import ApplicationError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> date:
    """``YYYY-MM`` -> the first day of that month; anything else is a clear 400."""
    match = _MONTH.match(text.strip()) if isinstance(text, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        raise ApplicationError(gettext("Invalid month: use YYYY-MM."), code="invalid_month")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(day: date) -> date:
    first = day.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def next_month(month: date) -> date:
    return month_end(month) + timedelta(days=1)


def is_working_day(day: date) -> bool:
    """Monday to Friday, except the holidays listed in ``PEERLEND_HOLIDAYS`` (ISO dates), if any."""
    holidays = {str(d) for d in getattr(settings, "PEERLEND_HOLIDAYS", ())}
    return day.weekday() < 5 and day.isoformat() not in holidays


def working_day_of_month(day: date) -> int:
    """1 for the first working day of ``day``'s month, ...; 0 when ``day`` itself is not a working day."""
    if not is_working_day(day):
        return 0
    return sum(1 for n in range(1, day.day + 1) if is_working_day(day.replace(day=n)))
