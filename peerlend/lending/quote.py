"""Quotes and the fee schedule (selectors: they read settings, pricing and a loan; they never write).

Every fee figure here comes from ``settings.PEERLEND`` or ``domain.pricing``: the quote box, the loan
page, the API and the public fee schedule all read it through this module, so no fee is typed twice.

What the borrower's quote is based on: the grade, and so the rate and the origination fee, is set by
scoring after the application is submitted. The quote does not score the form: a GET must not run
the credit model on unsent personal data (and would let anyone probe the model for free), and the
risk officer's review can still change the outcome. It shows the price of every grade band from the
best (A1) to the worst (E5) at the grade's representative PD, for the amount, term and method typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from peerlend.amount_input import parse_amount_input
from peerlend.clock import business_date
from peerlend.domain.money import format_minor
from peerlend.domain.pricing import GRADES, Pricing, price, reference_pd
from peerlend.domain.quote import BorrowerQuote, InvestorQuote, investor_quote, quote_for_grade
from peerlend.domain.schedule import EQUAL_INSTALLMENT, METHODS
from peerlend.errors import ApplicationError
from peerlend.lending.models import Loan
from peerlend.lending.services import MAX_TERM_MONTHS, MIN_TERM_MONTHS

# Grades shown in the quote box: the best, the middle of the B, C and D bands, and the worst.
QUOTE_GRADES: tuple[str, ...] = ("A1", "B3", "C3", "D3", "E5")
# Terms shown in the fee schedule's origination table (applications accept MIN..MAX_TERM_MONTHS).
FEE_TABLE_TERMS: tuple[int, ...] = (3, 6, 12, 24, 36)
# The investor quote on a loan page is given for this example amount.
EXAMPLE_INVESTMENT_MINOR = 1_000_00


def rate_setting(name: str) -> Decimal:
    return Decimal(str(settings.PEERLEND[name]))


def int_setting(name: str) -> int:
    return int(settings.PEERLEND[name])


# ---------------------------------------------------------------- borrower


@dataclass(frozen=True)
class QuoteRequest:
    amount_minor: int
    term_months: int
    method: str


@dataclass(frozen=True)
class ApplyQuote:
    request: QuoteRequest
    rows: list[BorrowerQuote]  # one per QUOTE_GRADES, best first

    @property
    def best(self) -> BorrowerQuote:
        return self.rows[0]

    @property
    def worst(self) -> BorrowerQuote:
        return self.rows[-1]


def _max_amount_minor() -> int:
    return max(int_setting("CAP_PERSON_MINOR"), int_setting("CAP_COMPANY_MINOR"))


def parse_quote_request(params: Mapping[str, str]) -> QuoteRequest:
    """Amount (major units), term and method from a query string; ApplicationError (400) when out of range."""
    minimum, maximum, unit = int_setting("MIN_LOAN_MINOR"), _max_amount_minor(), int_setting("NOTE_UNIT_MINOR")
    out_of_range = ApplicationError(
        _("Enter an amount between %(min)s and %(max)s CNY, such as 20000.00.")
        % {"min": format_minor(minimum), "max": format_minor(maximum)},
        code="invalid_amount",
    )
    amount = parse_amount_input(str(params.get("amount") or ""))
    if not minimum <= amount <= maximum:
        raise out_of_range
    if amount % unit:
        raise ApplicationError(_("The amount must be a multiple of %(unit)s CNY.") % {"unit": format_minor(unit)},
                               code="amount_not_multiple")
    term_text = str(params.get("term_months") or "").strip()
    if not term_text.isdigit() or not MIN_TERM_MONTHS <= int(term_text) <= MAX_TERM_MONTHS:
        raise ApplicationError(
            _("The term must be %(lo)s to %(hi)s months.") % {"lo": MIN_TERM_MONTHS, "hi": MAX_TERM_MONTHS},
            code="invalid_term",
        )
    method = str(params.get("repayment_method") or EQUAL_INSTALLMENT)
    if method not in METHODS:
        raise ApplicationError(_("Unknown repayment method."), code="invalid_method")
    return QuoteRequest(amount, int(term_text), method)


def apply_quote(request: QuoteRequest) -> ApplyQuote:
    """The borrower's quote for every grade in QUOTE_GRADES, as if disbursed on the business date."""
    start = business_date()
    rows = [
        quote_for_grade(request.amount_minor, request.term_months, request.method, grade, start)
        for grade in QUOTE_GRADES
    ]
    return ApplyQuote(request, rows)


# ---------------------------------------------------------------- investor


def loan_investor_quote(loan: Loan, amount_minor: int = EXAMPLE_INVESTMENT_MINOR) -> InvestorQuote | None:
    """Expected return of ``amount_minor`` in this loan: after the service fee and the grade's expected loss.

    None for a loan not yet priced. The expected loss is the grade's (reference PD), not this
    applicant's own PD: that is what the model card's grade table documents and what the price covers.
    """
    if loan.annual_rate is None or loan.grade not in GRADES:
        return None
    return investor_quote(
        amount_minor, loan.annual_rate, loan.term_months, loan.repayment_method, business_date(),
        service_fee_rate=rate_setting("INVESTOR_SERVICE_FEE_RATE"), pd=reference_pd(loan.grade),
    )


# ---------------------------------------------------------------- fee schedule


@dataclass(frozen=True)
class GradeFees:
    grade: str
    by_term: list[tuple[int, Pricing]]


@dataclass(frozen=True)
class FeeSchedule:
    origination: list[GradeFees]
    terms: tuple[int, ...]
    investor_service_fee_rate: Decimal
    grace_days: int
    late_fee_rate: Decimal
    late_fee_min_minor: int
    penalty_daily_rate: Decimal
    prepayment_penalty_rate: Decimal

    @property
    def penalty_annual_rate(self) -> Decimal:
        return self.penalty_daily_rate * 365


def fee_schedule() -> FeeSchedule:
    """Every fee the platform charges, from settings and the pricing formula."""
    return FeeSchedule(
        origination=[
            GradeFees(grade, [(term, price(reference_pd(grade), term)) for term in FEE_TABLE_TERMS])
            for grade in GRADES
        ],
        terms=FEE_TABLE_TERMS,
        investor_service_fee_rate=rate_setting("INVESTOR_SERVICE_FEE_RATE"),
        grace_days=int_setting("GRACE_DAYS"),
        late_fee_rate=rate_setting("LATE_FEE_RATE"),
        late_fee_min_minor=int_setting("LATE_FEE_MIN_MINOR"),
        penalty_daily_rate=rate_setting("PENALTY_DAILY_RATE"),
        prepayment_penalty_rate=rate_setting("PREPAYMENT_PENALTY_RATE"),
    )
