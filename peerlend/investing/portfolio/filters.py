"""The notes list: filters from a query string (each value with a documented range), paging and CSV rows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext as _

from peerlend.domain.money import format_minor
from peerlend.errors import ApplicationError
from peerlend.investing.portfolio.holdings import STATUS_LABELS, Holding

PAGE_SIZE: Final = 25
MAX_PAGE: Final = 10_000
MIN_TERM: Final = 1
MAX_TERM: Final = 60
MAX_ID: Final = 2**63 - 1
_GRADE = re.compile(r"[A-E][1-5]?")
_VINTAGE = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")  # YYYY-MM, years 2000..2099
_DIGITS = re.compile(r"[0-9]{1,19}")
# Documented in the API: the values each filter takes.
RANGES: Final = {
    "status": "one of " + ", ".join(STATUS_LABELS),
    "grade": "a letter A..E or a sub-grade A1..E5",
    "term": f"months {MIN_TERM}..{MAX_TERM}",
    "vintage": "month of issue YYYY-MM (2000-01..2099-12)",
    "loan": f"a loan id 1..{MAX_ID}",
    "page": f"{PAGE_SIZE} notes a page, 1..{MAX_PAGE}",
}


def _bad(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, code="invalid_filter", extra={"field": field})


def _whole(raw: str, field: str, lo: int, hi: int, message: str) -> int | None:
    if not raw:
        return None
    if not _DIGITS.fullmatch(raw) or not lo <= int(raw) <= hi:
        raise _bad(field, message)
    return int(raw)


@dataclass(frozen=True)
class NoteFilter:
    status: str = ""
    grade: str = ""
    term: int | None = None
    vintage: str = ""
    loan: int | None = None
    page: int = 1

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> NoteFilter:
        """The filter of a query string; a value out of its range is a 400 ``invalid_filter`` naming the field."""
        def get(name: str) -> str:
            return str(query.get(name) or "").strip()

        status = get("status")
        if status and status not in STATUS_LABELS:
            raise _bad("status", _("status must be one of: %(values)s") % {"values": ", ".join(STATUS_LABELS)})
        grade = get("grade").upper()
        if grade and not _GRADE.fullmatch(grade):
            raise _bad("grade", _("grade must be a letter A to E or a sub-grade such as B3"))
        vintage = get("vintage")
        if vintage and not _VINTAGE.fullmatch(vintage):
            raise _bad("vintage", _("vintage must be a month written YYYY-MM, e.g. 2026-03"))
        term = _whole(get("term"), "term", MIN_TERM, MAX_TERM, _(
            "term must be a number of months between %(lo)d and %(hi)d") % {"lo": MIN_TERM, "hi": MAX_TERM})
        loan = _whole(get("loan"), "loan", 1, MAX_ID, _("loan must be a loan number"))
        page = _whole(get("page"), "page", 1, MAX_PAGE, _(
            "page must be a number between 1 and %(hi)d") % {"hi": MAX_PAGE})
        return cls(status=status, grade=grade, term=term, vintage=vintage, loan=loan, page=page or 1)

    def matches(self, h: Holding) -> bool:
        return ((not self.status or h.status == self.status)
                and (not self.grade or (h.grade.startswith(self.grade) if len(self.grade) == 1
                                        else h.grade == self.grade))
                and (self.term is None or h.term_months == self.term)
                and (not self.vintage or h.vintage == self.vintage)
                and (self.loan is None or h.loan_id == self.loan))

    def apply(self, holdings: Iterable[Holding]) -> list[Holding]:
        return [h for h in holdings if self.matches(h)]

    def query(self, **changes: object) -> dict[str, str]:
        """The filter as query parameters (for links to other pages and the CSV), empty values left out."""
        values: dict[str, object] = {"status": self.status, "grade": self.grade, "term": self.term,
                                     "vintage": self.vintage, "loan": self.loan}
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def page_of(rows: Sequence[Holding], page: int) -> list[Holding]:
    return list(rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE])


CSV_HEADER: Final = (
    "note", "loan", "title", "grade", "term_months", "annual_rate_pct", "vintage", "status", "days_past_due",
    "auto_invested", "placed_on", "amount", "principal_outstanding", "principal_received", "interest_received",
    "fees_paid", "charged_off", "accrued_interest", "expected_loss",
)


def _text(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_rows(holdings: Iterable[Holding]) -> Iterable[tuple[str, ...]]:
    yield CSV_HEADER
    for h in holdings:
        rate = "" if h.annual_rate is None else f"{h.annual_rate * 100:.2f}"
        yield (
            str(h.note_id), str(h.loan_id), _text(h.loan_title), h.grade, str(h.term_months), rate, h.vintage,
            h.status, str(h.days_past_due), "yes" if h.auto_invested else "no",
            h.placed_on.isoformat() if h.placed_on else "", format_minor(h.amount_minor),
            format_minor(h.principal_outstanding_minor), format_minor(h.principal_received_minor),
            format_minor(h.interest_received_minor), format_minor(h.fees_paid_minor),
            format_minor(h.charged_off_minor), format_minor(h.accrued_interest_minor),
            format_minor(h.expected_loss_minor),
        )
