"""Statement periods: format, closed periods only, not before the member joined."""

from __future__ import annotations

from datetime import date

import pytest

from peerlend.errors import ApplicationError
from peerlend.ledger.statements.periods import check_closed, parse_period


@pytest.mark.parametrize("text, kind, start, end", [
    ("2026-03", "month", date(2026, 3, 1), date(2026, 3, 31)),
    ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
    ("2025", "year", date(2025, 1, 1), date(2025, 12, 31)),
])
def test_parse(text, kind, start, end):
    period = parse_period(text)
    assert (period.kind, period.start, period.end, period.code) == (kind, start, end, text)


@pytest.mark.parametrize("text", ["", "2026-13", "2026-00", "2026-3", "26-03", "1999", "1999-12", "2026-03-01",
                                  "abcd", None, 2026.0, True, ["2026"], "２０２６", "9" * 5000])
def test_bad_periods_are_a_clear_400(text):
    with pytest.raises(ApplicationError) as exc:
        parse_period(text)
    assert (exc.value.status, exc.value.code) == (400, "invalid_period")


def test_only_closed_periods():
    today = date(2026, 5, 10)
    check_closed(parse_period("2026-04"), today, date(2026, 1, 1))
    for text in ("2026-05", "2026-06", "2026", "2030"):
        with pytest.raises(ApplicationError) as exc:
            check_closed(parse_period(text), today, date(2026, 1, 1))
        assert (exc.value.status, exc.value.code) == (422, "period_not_closed")


def test_not_before_joining():
    today = date(2026, 5, 10)
    check_closed(parse_period("2026-03"), today, date(2026, 3, 31))
    for text in ("2026-02", "2025"):
        with pytest.raises(ApplicationError) as exc:
            check_closed(parse_period(text), today, date(2026, 3, 2))
        assert (exc.value.status, exc.value.code) == (422, "period_before_joining")
