"""The training book's outcome rule and maturity (pure: crafted BookLoan rows)."""

import datetime as dt

from peerlend.scoring.facts import ApplicationFacts
from peerlend.scoring.retraining.book import BookLoan, add_months, build_dataset, is_bad

D = dt.date(2024, 1, 31)
FACTS = ApplicationFacts(amount_minor=10_000_00, term_months=12, annual_income_minor=100_000_00)


def loan(installments, *, status="current", closed_on=None, loan_id=1, disbursed_on=D):
    return BookLoan(loan_id, disbursed_on, 10_000_00, status, closed_on, FACTS, tuple(installments))


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(D, 1) == dt.date(2024, 2, 29)
    assert add_months(D, 12) == dt.date(2025, 1, 31)
    assert add_months(dt.date(2024, 11, 15), 3) == dt.date(2025, 2, 15)


def test_paid_on_time_is_good():
    due = dt.date(2024, 2, 29)
    assert not is_bad(loan([(due, due)]), 12)


def test_unpaid_90_days_inside_the_horizon_is_bad():
    assert is_bad(loan([(dt.date(2024, 2, 29), None)]), 12)


def test_paid_at_89_days_is_good_at_91_bad():
    due = dt.date(2024, 2, 29)
    assert not is_bad(loan([(due, due + dt.timedelta(days=89))]), 12)
    assert not is_bad(loan([(due, due + dt.timedelta(days=90))]), 12)  # settled on the 90th day itself
    assert is_bad(loan([(due, due + dt.timedelta(days=91))]), 12)


def test_ninetieth_day_after_the_horizon_does_not_count():
    # Horizon 3 months ends 2024-04-30; an installment due 2024-03-31 reaches 90 days on 2024-06-29.
    late = loan([(dt.date(2024, 2, 29), dt.date(2024, 2, 29)), (dt.date(2024, 3, 31), None)])
    assert not is_bad(late, 3)
    assert is_bad(late, 6)


def test_charge_off_inside_the_horizon_is_bad_after_it_is_not():
    paid = [(dt.date(2024, 2, 29), dt.date(2024, 2, 29))]
    assert is_bad(loan(paid, status="charged_off", closed_on=dt.date(2024, 6, 1)), 12)
    assert not is_bad(loan(paid, status="charged_off", closed_on=dt.date(2025, 6, 1)), 12)


def test_immature_loans_are_left_out_and_counted():
    rows = [loan([], loan_id=3, disbursed_on=dt.date(2024, 6, 1)),  # matures 2025-06-01 > as_of
            loan([], loan_id=2, disbursed_on=dt.date(2024, 1, 1)),
            loan([], loan_id=1, disbursed_on=dt.date(2024, 1, 1))]
    data = build_dataset(rows, dt.date(2025, 1, 1), 12)
    assert [r.loan.loan_id for r in data.rows] == [1, 2]  # by disbursement, then id
    assert data.immature == 1
    assert build_dataset(rows, dt.date(2025, 6, 1), 12).immature == 0
