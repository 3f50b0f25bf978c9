"""Every monthly figure equals an independent recomputation from the raw tables, to the cent and the count."""

from __future__ import annotations

from peerlend.disclosure.models import MonthlySnapshot
from peerlend.disclosure.monthly.figures import AS_OF_RUN, FIGURES, compute
from tests.disclosure.monthly.conftest import MONTH_ENDS, Book
from tests.disclosure.monthly.independent_sql import recompute


def test_figures_and_published_snapshots_match_independent_sql(book: Book) -> None:
    for month_end in MONTH_ENDS:
        assert compute(month_end) == recompute(month_end), month_end
        # run-day published each month on its first working day; the book moved on since (a prepayment,
        # repayments, compensation, charge-offs). Interest outstanding reads the current schedule rows, which
        # a later prepayment re-amortises: it is the one figure taken as of the run.
        snap = MonthlySnapshot.objects.get(month=month_end.replace(day=1), version=1)
        assert sorted(snap.figures) == sorted(FIGURES)  # jsonb on PostgreSQL orders keys its own way
        later = recompute(month_end)
        assert {k: v for k, v in snap.figures.items() if k not in AS_OF_RUN} == {
            k: v for k, v in later.items() if k not in AS_OF_RUN}, month_end
    # The comparison means something only if the figures are not all zero.
    seen = {key for end in MONTH_ENDS for key, value in compute(end).items() if value}
    assert seen >= set(FIGURES) - {"fund_days_total"}
    assert book.defaulter.status == "charged_off" and book.prepaid.status == "prepaid"
    assert compute(MONTH_ENDS[-1])["overdue_90_count"] == 1
    # After the prepayment month, no later re-amortisation: the published interest still matches.
    assert MonthlySnapshot.objects.get(month=MONTH_ENDS[-2].replace(day=1)).figures == recompute(MONTH_ENDS[-2])
