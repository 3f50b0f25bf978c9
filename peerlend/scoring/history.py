"""The platform-history adjustment: the borrower's own record added to the application's score.

Scoring sits below lending and servicing (docs/DESIGN.md), so it cannot read loans or installments.
Servicing registers a provider here from ``AppConfig.ready`` (``servicing.credit_facts``) that
gathers a borrower's :class:`PlatformHistory`; without one every borrower is a newcomer.

``score()`` stays the fast single-score path; :func:`with_history` shifts its result by the
scorecard's points (``peerlend.domain.platform_history``) in log-odds, then re-grades and re-prices.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext, gettext_noop

from peerlend.domain.platform_history import HistoryAdjustment, PlatformHistory, history_adjustment
from peerlend.domain.pricing import MODEL_HORIZON_MONTHS
from peerlend.scoring.model import CreditModel, shipped_model
from peerlend.scoring.services import NO_ADVERSE_CODE, Reason, Score, grade_and_price, pd_decimal, score

HistoryProvider = Callable[[int], PlatformHistory]
_PROVIDER: list[HistoryProvider] = []

HISTORY_REASON_CODE = "PLATFORM_LATE_HISTORY"
HISTORY_REASON_TEXT = gettext_noop("Installments of your earlier loans on this platform were paid late.")


def register_history_provider(fn: HistoryProvider) -> None:
    """Set (replace) the function giving a borrower's history by user id."""
    _PROVIDER[:] = [fn]


def history_of(borrower_id: int) -> PlatformHistory:
    """The borrower's history from the registered provider (a newcomer's when none is registered)."""
    return _PROVIDER[0](borrower_id) if _PROVIDER else PlatformHistory()


def with_history(result: Score, adjustment: HistoryAdjustment, term_months: int | None,
                 model: CreditModel | None = None) -> Score:
    """``result`` with ``adjustment.points`` added: PD, points, grade and price follow; reasons told."""
    if not adjustment.points:
        return result
    model = model or shipped_model()
    p = float(result.pd)
    z = math.log(p / (1 - p)) - adjustment.points / model.points_per_log_odds
    pd = pd_decimal(1.0 / (1.0 + math.exp(-z)))
    term = term_months if term_months and term_months > 0 else MODEL_HORIZON_MONTHS
    grade, pricing = grade_and_price(pd, term)
    reasons = result.reasons
    if adjustment.points < 0:
        kept = tuple(r for r in reasons if r.code != NO_ADVERSE_CODE)
        reasons = (Reason(HISTORY_REASON_CODE, gettext(HISTORY_REASON_TEXT)), *kept)
    return replace(result, pd=pd, score=result.score + adjustment.points, grade=grade,
                   annual_rate=pricing.annual_rate, origination_fee_rate=pricing.origination_fee_rate,
                   reasons=reasons, rate_capped=pricing.capped)


def score_with_history(application: Any, history: PlatformHistory, model: CreditModel | None = None) -> Score:
    """``score(application)`` adjusted by the borrower's platform ``history``."""
    result = score(application, model)
    term = application.get("term_months") if isinstance(application, dict) else getattr(
        application, "term_months", None)
    return with_history(result, history_adjustment(history), term, model)
