"""Credit grades and risk-based pricing (pure, no Django).

Grades
------
Twenty-five grades ``A1`` (best) … ``E5`` (worst), each a band of probability of default
(PD). The bands are geometric (each upper bound is about 1.174 times the previous one),
from 0.50 % for A1 to 20.01 % for E4; E5 is everything above. A geometric ladder keeps
the *relative* risk step between neighbouring grades the same, which is what a log-odds
model distinguishes. ``GRADE_TABLE`` lists ``(grade, lower PD inclusive, upper PD
exclusive)``.

The PD is the credit model's probability that the loan goes bad within the horizon the
model was trained on (Lending Club 36/60-month loans observed for about 3 years; see
docs/model-card.md), taken here as a 36-month PD.

Price
-----
``price(pd, term_months)`` returns the borrower's annual interest rate and the
origination fee rate::

    pd_term      = 1 - (1 - pd) ** (term_months / 36)     constant hazard over the term
    avg_life_yrs = (term_months + 1) / 24                 average outstanding life of an
                                                          amortising loan, in years
    expected_loss_per_year = pd_term * LGD / avg_life_yrs
    annual_rate  = FUNDING_COST + MARGIN + expected_loss_per_year, rounded half-up to 1 bp,
                   clamped to LEGAL_MAX_ANNUAL_RATE
    fee          = ORIGINATION_FEE_BASE + ORIGINATION_FEE_PD_SHARE * pd_term, at most
                   ORIGINATION_FEE_MAX, and at most what keeps the all-in annual cost
                   (annual_rate + fee * 12 / term_months) within LEGAL_MAX_ANNUAL_RATE

with FUNDING_COST = 7 % (yield investors are offered before credit losses), MARGIN = 2 %
(platform servicing), LGD = 85 % (loss given default of unsecured consumer credit:
Lending Club recoveries are about 10-15 % of charged-off principal).

Legal maximum: 24 % a year. Under the Supreme People's Court's Provisions on Several
Issues concerning the Application of Law in the Trial of Private Lending Cases (2015,
Art. 26), courts protect agreed interest up to 24 % a year ("judicial protection line");
interest between 24 % and 36 % is not enforceable by a court and above 36 % is void.
(The 2020 amendment lowered the line for private lending to four times the one-year LPR;
``LEGAL_MAX_ANNUAL_RATE`` is one constant so a stricter rules profile can lower it.)
When the risk-based rate would exceed the line the rate is clamped and ``Pricing.capped``
is true: the price no longer covers the expected loss, and the lending policy should
decline rather than list such a loan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FUNDING_COST = Decimal("0.07")
MARGIN = Decimal("0.02")
LGD = Decimal("0.85")
MODEL_HORIZON_MONTHS = 36
LEGAL_MAX_ANNUAL_RATE = Decimal("0.24")
ORIGINATION_FEE_BASE = Decimal("0.01")
ORIGINATION_FEE_PD_SHARE = Decimal("0.10")
ORIGINATION_FEE_MAX = Decimal("0.05")

_BP = Decimal("0.0001")

GRADES: tuple[str, ...] = tuple(f"{letter}{n}" for letter in "ABCDE" for n in range(1, 6))

# Upper PD bound (exclusive) of each grade but the last: 0.005 * 1.174 ** i, in basis points.
_UPPER_BOUNDS: tuple[Decimal, ...] = tuple(
    Decimal(s)
    for s in (
        "0.0050", "0.0059", "0.0069", "0.0081", "0.0095",  # A1..A5
        "0.0112", "0.0131", "0.0154", "0.0180", "0.0212",  # B1..B5
        "0.0249", "0.0292", "0.0343", "0.0402", "0.0472",  # C1..C5
        "0.0555", "0.0651", "0.0764", "0.0897", "0.1054",  # D1..D5
        "0.1237", "0.1452", "0.1705", "0.2001",  # E1..E4 (E5: 0.2001 and above)
    )
)

GRADE_TABLE: tuple[tuple[str, Decimal, Decimal], ...] = tuple(
    (
        grade,
        Decimal("0") if i == 0 else _UPPER_BOUNDS[i - 1],
        _UPPER_BOUNDS[i] if i < len(_UPPER_BOUNDS) else Decimal("1"),
    )
    for i, grade in enumerate(GRADES)
)


@dataclass(frozen=True)
class Pricing:
    annual_rate: Decimal
    origination_fee_rate: Decimal
    capped: bool = False


def _check_pd(pd: Decimal) -> None:
    if not Decimal("0") <= pd <= Decimal("1"):
        raise ValueError(f"probability of default must be within 0..1, got {pd}")


def grade_for_pd(pd: Decimal) -> str:
    """The grade whose PD band contains ``pd``."""
    _check_pd(pd)
    for grade, upper in zip(GRADES, _UPPER_BOUNDS, strict=False):
        if pd < upper:
            return grade
    return GRADES[-1]


def reference_pd(grade: str) -> Decimal:
    """A representative PD of a grade: the geometric middle of its band (for A1 and E5,
    one half-step inside the open end), used to show a grade's typical price."""
    i = GRADES.index(grade)
    step = Decimal("1.174").sqrt()
    if i == 0:
        return (_UPPER_BOUNDS[0] / step).quantize(_BP)
    lower = _UPPER_BOUNDS[i - 1]
    if i == len(GRADES) - 1:
        return (lower * step).quantize(_BP)
    return (lower * _UPPER_BOUNDS[i]).sqrt().quantize(_BP)


def term_pd(pd: Decimal, term_months: int) -> Decimal:
    """Convert the model's 36-month PD to the loan's term under a constant hazard."""
    _check_pd(pd)
    if term_months <= 0:
        raise ValueError(f"term must be at least one month, got {term_months}")
    if pd == 1:
        return Decimal("1")
    survival = (Decimal("1") - pd) ** (Decimal(term_months) / Decimal(MODEL_HORIZON_MONTHS))
    return Decimal("1") - survival


def expected_annual_loss(pd: Decimal, term_months: int) -> Decimal:
    """Expected credit loss per year of average outstanding principal: ``pd_term * LGD / avg_life_yrs``.

    The part of the rate that pays for defaults; the investor quote (domain.quote) shows the same figure.
    """
    avg_life_years = Decimal(term_months + 1) / Decimal(24)
    return term_pd(pd, term_months) * LGD / avg_life_years


def price(pd: Decimal, term_months: int) -> Pricing:
    """Risk-based annual rate and origination fee for a loan (formula in the module doc)."""
    pd_term = term_pd(pd, term_months)
    expected_loss = expected_annual_loss(pd, term_months)
    raw_rate = (FUNDING_COST + MARGIN + expected_loss).quantize(_BP, rounding=ROUND_HALF_UP)
    capped = raw_rate > LEGAL_MAX_ANNUAL_RATE
    rate = min(raw_rate, LEGAL_MAX_ANNUAL_RATE)
    fee = min(ORIGINATION_FEE_BASE + ORIGINATION_FEE_PD_SHARE * pd_term, ORIGINATION_FEE_MAX)
    # The fee is a cost of credit too: keep the all-in annual cost inside the legal line.
    fee_room = (LEGAL_MAX_ANNUAL_RATE - rate) * Decimal(term_months) / Decimal(12)
    if fee > fee_room:
        fee = fee_room
        capped = True
    fee = max(fee, Decimal("0")).quantize(_BP, rounding=ROUND_HALF_UP)
    if rate + fee * Decimal(12) / Decimal(term_months) > LEGAL_MAX_ANNUAL_RATE:
        fee -= _BP  # rounding up must not cross the line
    return Pricing(annual_rate=rate, origination_fee_rate=fee, capped=capped)
