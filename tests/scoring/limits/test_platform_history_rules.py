"""The platform-history features and their scorecard (pure)."""

from datetime import date

from peerlend.domain.platform_history import (
    MAX_POINTS,
    MIN_POINTS,
    InstallmentRecord,
    PlatformHistory,
    history_adjustment,
    summarise,
)

TODAY = date(2026, 6, 15)


def test_newcomer_gets_no_points():
    adj = history_adjustment(PlatformHistory())
    assert adj.points == 0 and adj.parts == () and PlatformHistory().is_newcomer


def test_summarise_counts_on_time_late_and_worst_days():
    records = [
        InstallmentRecord(date(2026, 2, 1), date(2026, 2, 1)),  # on time
        InstallmentRecord(date(2026, 3, 1), date(2026, 2, 20)),  # early
        InstallmentRecord(date(2026, 4, 1), date(2026, 4, 11)),  # 10 days late
        InstallmentRecord(date(2026, 5, 1), None),  # still open: 45 days late today
        InstallmentRecord(date(2026, 7, 1), None),  # not due yet
    ]
    h = summarise(records, completed_loans=1, prepayments=0, first_disbursed_on=date(2025, 12, 20), today=TODAY)
    assert (h.on_time_installments, h.late_installments, h.worst_days_past_due) == (2, 2, 45)
    assert h.tenure_months == 5 and h.completed_loans == 1


def test_paid_early_before_due_counts_once_due_passes():
    records = [InstallmentRecord(date(2026, 7, 1), date(2026, 6, 1))]
    before = summarise(records, completed_loans=0, prepayments=0, first_disbursed_on=date(2026, 5, 1), today=TODAY)
    assert before.on_time_installments == 0 and before.late_installments == 0
    after = summarise(records, completed_loans=0, prepayments=0, first_disbursed_on=date(2026, 5, 1),
                      today=date(2026, 7, 2))
    assert after.on_time_installments == 1 and after.late_installments == 0


def test_clean_history_adds_points_capped():
    adj = history_adjustment(PlatformHistory(completed_loans=2, on_time_installments=24, tenure_months=24))
    assert adj.points == 16 + 12 + 4
    big = history_adjustment(PlatformHistory(completed_loans=9, on_time_installments=200, prepayments=5,
                                             tenure_months=120))
    assert big.points == MAX_POINTS


def test_late_history_subtracts_points_capped():
    adj = history_adjustment(PlatformHistory(on_time_installments=4, late_installments=2, worst_days_past_due=20))
    assert adj.points == 2 - 8 - 15
    assert dict(adj.parts)["worst_days_past_due"] == -15
    worst = history_adjustment(PlatformHistory(late_installments=30, worst_days_past_due=120))
    assert worst.points == MIN_POINTS
