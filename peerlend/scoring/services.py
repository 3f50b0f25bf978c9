"""Scoring an application: probability of default, points, grade, price and reasons.

``score()`` is pure (no database, no training libraries) and takes well under a
millisecond; anti-fraud rules are separate and run before it (lending.antifraud).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext, gettext_noop

from peerlend.domain.pricing import MODEL_HORIZON_MONTHS, Pricing, grade_for_pd, price
from peerlend.scoring.facts import ApplicationFacts
from peerlend.scoring.model import CreditModel, Evaluation, InputEffect, shipped_model

MAX_REASONS = 4
# An input that lowered the score by less than this many points is not worth telling the borrower about.
MIN_REASON_POINTS = 0.5
_PD_MIN = Decimal("0.0001")
_PD_MAX = Decimal("0.9999")


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Score:
    pd: Decimal
    score: int
    grade: str
    annual_rate: Decimal
    origination_fee_rate: Decimal
    reasons: tuple[Reason, ...]
    out_of_range: tuple[str, ...]
    model_version: str
    rate_capped: bool = False


NO_ADVERSE_CODE = "NO_ADVERSE_FACTOR"
NO_ADVERSE_TEXT = gettext_noop("No single factor lowered your score noticeably.")


def pd_decimal(pd: float) -> Decimal:
    """PD to 4 decimal places, kept inside 0.0001..0.9999 (never certain either way)."""
    value = Decimal(f"{pd:.4f}")
    return min(max(value, _PD_MIN), _PD_MAX)


@lru_cache(maxsize=65536)
def grade_and_price(pd: Decimal, term_months: int) -> tuple[str, Pricing]:
    return grade_for_pd(pd), price(pd, term_months)


def gives_reason(effect: InputEffect) -> bool:
    """Whether an input's effect is a reason to tell the applicant (batch.py applies the same rule).

    Only a known input that lowered the score by at least MIN_REASON_POINTS against the reference
    applicant, with its value on the side of the reference its text describes (the feature's sign:
    "large share" only above the reference). A curve can rise on the "good" side too; that is
    never told in words that say the opposite.
    """
    inp = effect.input
    return (
        not effect.stand_in
        and effect.points <= -MIN_REASON_POINTS
        and inp.feature.sign * (effect.value - inp.reference) > 0
    )


def reason_effects(evaluation: Evaluation) -> list[InputEffect]:
    """The inputs that give reasons, the one that lowered the score most first (ties: model order)."""
    return sorted((e for e in evaluation.effects if gives_reason(e)), key=lambda e: e.points)[:MAX_REASONS]


def reason_codes(evaluation: Evaluation) -> list[tuple[str, str]]:
    """(code, untranslated text) of the reasons, worst first; a neutral one when there is none."""
    picked = [(e.input.feature.reason_code, e.input.feature.reason_text) for e in reason_effects(evaluation)]
    return picked or [(NO_ADVERSE_CODE, NO_ADVERSE_TEXT)]


def score(application: ApplicationFacts | Any, model: CreditModel | None = None) -> Score:
    facts = application if isinstance(application, ApplicationFacts) else ApplicationFacts.from_object(application)
    model = model or shipped_model()
    ev = model.evaluate(facts)
    pd = pd_decimal(ev.pd)
    term = facts.term_months if facts.term_months and facts.term_months > 0 else MODEL_HORIZON_MONTHS
    grade, pricing = grade_and_price(pd, term)
    return Score(
        pd=pd,
        score=model.points(ev.pd),
        grade=grade,
        annual_rate=pricing.annual_rate,
        origination_fee_rate=pricing.origination_fee_rate,
        reasons=tuple(Reason(code, gettext(text)) for code, text in reason_codes(ev)),
        out_of_range=ev.out_of_range,
        model_version=model.version,
        rate_capped=pricing.capped,
    )
