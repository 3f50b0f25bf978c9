"""with_history: points shift the log-odds; PD, grade, price and reasons follow; the fast path stays fast."""

import time

from peerlend.domain.platform_history import HistoryAdjustment, PlatformHistory
from peerlend.scoring.history import HISTORY_REASON_CODE, score_with_history, with_history
from peerlend.scoring.model import shipped_model
from peerlend.scoring.services import score

APP = dict(amount_minor=10_000_00, term_months=12, annual_income_minor=180_000_00, employment_years=6)


def test_no_points_leaves_the_score_unchanged():
    base = score(APP)
    assert with_history(base, HistoryAdjustment(0, ()), 12) is base
    assert score_with_history(APP, PlatformHistory()) == base


def test_twenty_points_halve_the_odds():
    base = score(APP)
    better = with_history(base, HistoryAdjustment(20, (("completed_loans", 20),)), 12)
    odds = float(base.pd) / (1 - float(base.pd))
    assert abs(float(better.pd) / (1 - float(better.pd)) - odds / 2) < 0.0005
    assert better.score == base.score + 20
    assert better.reasons == base.reasons  # history that helped is no reason
    assert shipped_model().points_per_log_odds * 0.6931 > 19.9  # pdo 20: the documented scale


def test_negative_points_raise_pd_and_give_the_history_reason_first():
    base = score(APP)
    worse = with_history(base, HistoryAdjustment(-30, (("worst_days_past_due", -30),)), 12)
    assert worse.pd > base.pd and worse.annual_rate >= base.annual_rate
    assert worse.reasons[0].code == HISTORY_REASON_CODE
    assert "NO_ADVERSE_FACTOR" not in [r.code for r in worse.reasons]


def test_adjusted_single_score_stays_under_a_millisecond():
    history = PlatformHistory(completed_loans=1, on_time_installments=12, tenure_months=14)
    score_with_history(APP, history)
    start = time.perf_counter()
    for _ in range(200):
        score_with_history(APP, history)
    assert (time.perf_counter() - start) / 200 < 0.001
