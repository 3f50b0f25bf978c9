"""Vintage rows by issue month and grade: counts, amounts, status shares, net loss, NAR; the CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from peerlend.disclosure.vintage.stats import BUCKETS, CSV_HEADER, vintage_csv, vintage_rows
from peerlend.lending.models import Note
from tests.disclosure.monthly.conftest import END, Book


def test_vintage_rows_of_the_book(book: Book) -> None:
    rows = vintage_rows(END)
    assert sum(r.loans for r in rows) == 4
    assert sum(r.amount_minor for r in rows) == sum(
        loan.funded_minor for loan in (book.payer, book.defaulter, book.late, book.prepaid))
    counts = {b: sum(r.counts[b] for r in rows) for b in BUCKETS}
    assert counts["charged_off"] == 1 and counts["fully_paid"] == 1
    assert counts["current"] == 1  # the payer
    assert counts["defaulted"] + counts["late_90_plus"] == 1  # the late loan, 108 days past due
    march = [r for r in rows if r.month == date(2026, 3, 1)]
    written_off = sum(n.charged_off_minor for n in Note.objects.filter(loan=book.defaulter))
    assert written_off > 0
    assert sum(r.net_loss_minor for r in march) == written_off
    for r in rows:
        assert sum(r.counts.values()) == r.loans
    assert any(r.nar is not None and r.nar < 0 for r in march if r.charged_off_minor)
    # The CSV: one line per row under the header, amounts in major units.
    lines = vintage_csv(rows).splitlines()
    assert lines[0].split(",") == list(CSV_HEADER)
    assert len(lines) == len(rows) + 1
    first = lines[1].split(",")
    assert first[0] == rows[0].month.strftime("%Y-%m") and int(first[2]) == rows[0].loans
    assert Decimal(first[3]) * 100 == rows[0].amount_minor
