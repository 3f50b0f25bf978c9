"""The date range of a regulator's export or report: both ends given, from <= to, at most a year."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from peerlend.errors import ApplicationError

MAX_RANGE_DAYS = 366  # both ends included: a leap year fits, anything longer is refused


def parse_date_range(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """``(from, to)`` from ISO dates; a clear 400 (``invalid_range``) on anything else."""
    if not start or not end:
        raise ApplicationError(_("Give both dates of the range (from and to, YYYY-MM-DD)."), code="invalid_range")
    try:
        first, last = dt.date.fromisoformat(start.strip()), dt.date.fromisoformat(end.strip())
    except ValueError:
        raise ApplicationError(_("Dates must be written YYYY-MM-DD."), code="invalid_range") from None
    if first > last:
        raise ApplicationError(_("The range starts after it ends: the from date must not be later than the to "
                                 "date."), code="invalid_range")
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ApplicationError(_("The range is longer than %(days)d days: export a year at most at a time.")
                               % {"days": MAX_RANGE_DAYS}, code="invalid_range")
    return first, last
