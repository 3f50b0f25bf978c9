"""Platform history enters the score: a clean repeat borrower grades better than a newcomer, a late one worse."""

import datetime as dt

from peerlend.domain.pricing import GRADES
from peerlend.lending import services
from peerlend.scoring.history import HISTORY_REASON_CODE, history_of
from tests.scoring.limits.conftest import application, borrower, monthly, past_loan


def rank(grade: str) -> int:
    return GRADES.index(grade)


def test_newcomer_history_is_empty(db):
    assert history_of(borrower().pk).is_newcomer


def test_provider_reads_installments_and_completed_loans(db):
    user = borrower()
    past_loan(user, installments=monthly(dt.date(2025, 2, 10), 12))
    h = history_of(user.pk)
    assert (h.completed_loans, h.on_time_installments, h.late_installments) == (1, 12, 0)
    assert h.tenure_months == 17


def test_clean_repeat_borrower_gets_a_better_grade_than_a_newcomer(db):
    newcomer = services.submit_application(borrower=borrower(), data=application())
    repeat = borrower()
    past_loan(repeat, installments=monthly(dt.date(2025, 2, 10), 12))
    past_loan(repeat, status="prepaid", disbursed_on=dt.date(2024, 1, 5),
              installments=monthly(dt.date(2024, 2, 5), 6))
    again = services.submit_application(borrower=repeat, data=application())
    assert again.credit_score > newcomer.credit_score
    assert again.pd < newcomer.pd
    assert rank(again.grade) < rank(newcomer.grade)


def test_late_history_gives_a_worse_grade_and_a_reason(db):
    newcomer = services.submit_application(borrower=borrower(), data=application())
    late = borrower()
    past_loan(late, installments=monthly(dt.date(2025, 2, 10), 12, late_days=20))
    again = services.submit_application(borrower=late, data=application())
    assert rank(again.grade) > rank(newcomer.grade)
    assert again.annual_rate > newcomer.annual_rate
    assert again.score_reasons[0]["code"] == HISTORY_REASON_CODE


def test_an_overdue_installment_counts_as_late_until_paid(db):
    user = borrower()
    past_loan(user, status="late", installments=[(dt.date(2026, 5, 1), None)], outstanding_minor=1_000_00)
    h = history_of(user.pk)
    assert h.late_installments == 1 and h.worst_days_past_due == 45
