"""Statement periods: a closed calendar month ("2026-03") or a closed calendar year ("2026")."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from peerlend.errors import ApplicationError, Unprocessable

MONTH, YEAR = "month", "year"
# Statements start with the platform's books; nothing older than this can hold a posting.
EARLIEST_YEAR = 2000
_MONTH = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>[0-9]{2})$")
_YEAR = re.compile(r"^(?P<year>[0-9]{4})$")


@dataclass(frozen=True)
class Period:
    kind: str  # MONTH or YEAR
    start: date
    end: date  # inclusive

    @property
    def code(self) -> str:
        return f"{self.start:%Y-%m}" if self.kind == MONTH else f"{self.start:%Y}"

    def months(self) -> list[date]:
        """The first day of each month of the period."""
        if self.kind == MONTH:
            return [self.start]
        return [date(self.start.year, m, 1) for m in range(1, 13)]


def month_period(year: int, month: int) -> Period:
    return Period(MONTH, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def year_period(year: int) -> Period:
    return Period(YEAR, date(year, 1, 1), date(year, 12, 31))


def _invalid() -> ApplicationError:
    return ApplicationError(
        _('The period must be a month as YYYY-MM (for example "2026-03") or a year as YYYY (for example "2026").'),
        code="invalid_period",
    )


def parse_period(text: object) -> Period:
    """``"2026-03"`` -> that month, ``"2026"`` -> that year; anything else is a 400 ``invalid_period``."""
    raw = str(text or "").strip() if isinstance(text, str | int) and not isinstance(text, bool) else ""
    if len(raw) > 7:
        raise _invalid()
    found = _MONTH.match(raw)
    if found:
        year, month = int(found["year"]), int(found["month"])
        if not 1 <= month <= 12 or year < EARLIEST_YEAR:
            raise _invalid()
        return month_period(year, month)
    found = _YEAR.match(raw)
    if found and int(found["year"]) >= EARLIEST_YEAR:
        return year_period(int(found["year"]))
    raise _invalid()


def period_of(kind: str, start: date) -> Period:
    return month_period(start.year, start.month) if kind == MONTH else year_period(start.year)


def check_closed(period: Period, today: date, joined: date) -> None:
    """Only a period that has ended (business date) and that the member was a member in (422 otherwise)."""
    if period.end >= today:
        raise Unprocessable(
            _("A statement covers a closed period only: %(period)s is not over yet (the business date is "
              "%(today)s).") % {"period": period.code, "today": today.isoformat()},
            code="period_not_closed",
        )
    if period.end < joined:
        raise Unprocessable(
            _("%(period)s ended before you joined (%(joined)s): there is no statement for it.")
            % {"period": period.code, "joined": joined.isoformat()},
            code="period_before_joining",
        )
