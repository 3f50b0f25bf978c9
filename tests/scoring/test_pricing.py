import itertools
from decimal import Decimal

import pytest

from peerlend.domain import pricing
from peerlend.domain.pricing import GRADE_TABLE, GRADES, LEGAL_MAX_ANNUAL_RATE, grade_for_pd, price, reference_pd


def test_grade_bands_are_contiguous_and_cover_zero_to_one():
    assert tuple(g for g, _, _ in GRADE_TABLE) == GRADES
    assert len(GRADES) == 25 and GRADES[0] == "A1" and GRADES[-1] == "E5"
    assert GRADE_TABLE[0][1] == 0 and GRADE_TABLE[-1][2] == 1
    for (_, _, upper), (_, lower, _) in itertools.pairwise(GRADE_TABLE):
        assert upper == lower


@pytest.mark.parametrize(("grade", "lo", "hi"), GRADE_TABLE)
def test_grade_for_pd_follows_band_edges(grade, lo, hi):
    assert grade_for_pd(lo) == grade
    assert grade_for_pd(reference_pd(grade)) == grade
    if hi < 1:
        assert grade_for_pd(hi - Decimal("0.0001")) == grade
        assert grade_for_pd(hi) != grade


def test_pd_outside_zero_one_is_refused():
    with pytest.raises(ValueError):
        grade_for_pd(Decimal("1.01"))
    with pytest.raises(ValueError):
        price(Decimal("-0.01"), 12)


def test_price_formula_by_hand():
    # 36 months: pd_term = pd; EL/yr = 0.05 * 0.85 / (37/24) = 0.027567...; rate = 0.09 + that.
    p = price(Decimal("0.05"), 36)
    assert p.annual_rate == Decimal("0.1176")
    assert p.origination_fee_rate == Decimal("0.0150")  # 1 % + 10 % of 5 %
    assert not p.capped


def test_short_term_uses_term_pd():
    # 12 months: pd_term = 1 - 0.95 ** (1/3) = 0.016952; EL/yr = 0.016952 * 0.85 / (13/24) = 0.026602
    assert price(Decimal("0.05"), 12).annual_rate == Decimal("0.1166")


@pytest.mark.parametrize("term", [3, 6, 12, 24, 36])
def test_rate_is_clamped_to_legal_maximum_and_all_in_cost_within_it(term):
    p = price(Decimal("0.60"), term)
    assert p.annual_rate == LEGAL_MAX_ANNUAL_RATE
    assert p.capped
    for pd in ("0.001", "0.05", "0.2", "0.35", "0.9999"):
        q = price(Decimal(pd), term)
        assert q.annual_rate <= LEGAL_MAX_ANNUAL_RATE
        assert q.annual_rate + q.origination_fee_rate * 12 / term <= LEGAL_MAX_ANNUAL_RATE
        assert q.origination_fee_rate >= 0


@pytest.mark.parametrize("term", [3, 6, 9, 12, 18, 24, 36])
def test_every_grade_is_priced_above_the_grade_before(term):
    rates = [price(reference_pd(g), term).annual_rate for g in GRADES]
    assert all(b > a for a, b in itertools.pairwise(rates)), rates
    assert rates[-1] < LEGAL_MAX_ANNUAL_RATE  # the ladder stays under the legal line


def test_rate_never_decreases_with_pd():
    pds = [Decimal(i) / 1000 for i in range(0, 1000, 7)]
    rates = [price(pd, 24).annual_rate for pd in pds]
    assert rates == sorted(rates)
    assert rates[0] >= pricing.FUNDING_COST + pricing.MARGIN
