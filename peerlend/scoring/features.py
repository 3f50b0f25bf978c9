"""Model inputs computed from ApplicationFacts, the same code for training and scoring.

Every input is scale-free (a count, a percentage, a yes/no, or a ratio of two amounts in
the same currency), so the model never compares a CNY amount with the US-dollar levels of
its training data: a loan of 4 months' income means the same in either currency.
Counts enter as log(1 + n) because each extra inquiry or loan matters less than the last.

``sign`` is the direction domain knowledge allows: +1 means a larger value may only raise
the probability of default, -1 only lower it, 0 either (training may then fit a curve). Training drops a feature whose
fitted weight has the forbidden sign (see training/fit.py), so e.g. more delinquencies never
lower the PD. ``reason_text`` speaks of the side the sign marks as worse, compared with the
reference applicant, and is given only on that side (``services.gives_reason``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from peerlend.scoring.facts import ApplicationFacts

# Long loans: Lending Club terms are 36 or 60 months, the platform's 3-36.
LONG_TERM_MONTHS = 36


@dataclass(frozen=True)
class Feature:
    name: str
    compute: Callable[[ApplicationFacts], float | None]
    sign: int
    reason_code: str
    reason_text: str  # marked for translation; translated when a Score is built
    # The yes/no input that is 1 when this input's facts are unknown: the value is then a stand-in
    # (not a fact about the applicant), and its effect on the score is told under the flag's reason.
    unknown_flag: str = ""


def _log1p(value: int | None) -> float | None:
    if value is None or value < 0:
        return None
    return math.log1p(value)


def _pct(value: object) -> float | None:
    if value is None:
        return None
    v = float(value)  # type: ignore[arg-type]
    if v < 0 or math.isnan(v):
        return None
    return v / 100.0


def _ratio(num: int | None, den: int | None) -> float | None:
    if num is None or den is None or den <= 0 or num < 0:
        return None
    return num / den


def _loan_to_income(f: ApplicationFacts) -> float | None:
    r = _ratio(f.amount_minor, f.annual_income_minor)
    return None if r is None else math.log1p(r)


def _il_balance_to_income(f: ApplicationFacts) -> float | None:
    r = _ratio(f.total_bal_il_minor, f.annual_income_minor)
    return None if r is None else math.log1p(r)


def _il_unpaid_share(f: ApplicationFacts) -> float | None:
    if f.total_bal_il_minor is None or f.total_il_high_credit_limit_minor is None:
        return None
    if f.total_il_high_credit_limit_minor <= 0:
        return 0.0  # no instalment loans: nothing unpaid
    return _ratio(f.total_bal_il_minor, f.total_il_high_credit_limit_minor)


def _finance_inquiry_share(f: ApplicationFacts) -> float | None:
    if f.inq_fi is None or f.inq_last_12m is None or f.inq_fi < 0 or f.inq_last_12m < 0:
        return None
    return f.inq_fi / max(f.inq_last_12m, f.inq_fi, 1)


def _flag(value: bool) -> float:
    return 1.0 if value else 0.0


FEATURES: tuple[Feature, ...] = (
    Feature(
        "long_term",
        lambda f: None if f.term_months is None else _flag(f.term_months > LONG_TERM_MONTHS),
        +1, "LONG_TERM", gettext_noop("The repayment term is long."),
    ),
    Feature(
        "income_not_verified", lambda f: _flag(not f.income_verified),
        +1, "INCOME_NOT_VERIFIED", gettext_noop("Your income has not been verified."),
    ),
    Feature(
        "employment_unknown", lambda f: _flag(f.employment_years is None),
        +1, "EMPLOYMENT_UNKNOWN", gettext_noop("We do not know how long you have been employed."),
    ),
    Feature(
        "employment_years",
        lambda f: 0.0 if f.employment_years is None else float(min(max(f.employment_years, 0), 10)),
        -1, "SHORT_EMPLOYMENT",
        gettext_noop("You have been in your current job for less time than the average applicant."),
        unknown_flag="employment_unknown",
    ),
    Feature(
        "delinq_2yrs", lambda f: _log1p(f.delinq_2yrs),
        +1, "PAST_DELINQUENCY", gettext_noop("You made late payments in the last two years."),
    ),
    Feature(
        "acc_now_delinq", lambda f: _log1p(f.acc_now_delinq),
        +1, "ACCOUNTS_PAST_DUE", gettext_noop("Some of your accounts are past due now."),
    ),
    Feature(
        "past_due_amount",
        lambda f: None if f.delinq_amnt_minor is None else _flag(f.delinq_amnt_minor > 0),
        +1, "AMOUNT_PAST_DUE", gettext_noop("You owe an amount that is past due."),
    ),
    Feature(
        "inq_last_6mths", lambda f: _log1p(f.inq_last_6mths),
        +1, "RECENT_INQUIRIES",
        gettext_noop("You applied for credit more often in the last 6 months than the average applicant."),
    ),
    Feature(
        "inq_last_12m", lambda f: _log1p(f.inq_last_12m),
        +1, "INQUIRIES_12M",
        gettext_noop("You applied for credit more often in the last 12 months than the average applicant."),
    ),
    Feature(
        "inq_fi", lambda f: _log1p(f.inq_fi),
        +1, "FINANCE_INQUIRIES",
        gettext_noop("You applied for personal loans more often recently than the average applicant."),
    ),
    Feature(
        "finance_inquiry_share", _finance_inquiry_share,
        +1, "FINANCE_INQUIRY_SHARE",
        gettext_noop("More of your recent credit applications were for personal loans than the average applicant's."),
    ),
    Feature(
        "open_il_6m", lambda f: _log1p(f.open_il_6m),
        +1, "ACTIVE_LOANS", gettext_noop("You have more instalment loans open now than the average applicant."),
    ),
    Feature(
        "open_il_12m", lambda f: _log1p(f.open_il_12m),
        +1, "NEW_LOANS_12M",
        gettext_noop("You took out more new loans in the last 12 months than the average applicant."),
    ),
    Feature(
        "open_il_24m", lambda f: _log1p(f.open_il_24m),
        +1, "NEW_LOANS_24M",
        gettext_noop("You took out more new loans in the last 2 years than the average applicant."),
    ),
    Feature(
        "num_il_tl", lambda f: _log1p(f.num_il_tl),
        -1, "SHORT_LOAN_HISTORY",
        gettext_noop("You have a shorter history of repaying loans than the average applicant."),
    ),
    Feature(
        "revol_util", lambda f: _pct(f.revol_util_pct),
        +1, "CARD_UTILISATION", gettext_noop("You use more of your credit card limits than the average applicant."),
    ),
    Feature(
        "all_util", lambda f: _pct(f.all_util_pct),
        +1, "CREDIT_UTILISATION",
        gettext_noop("You use more of all the credit available to you than the average applicant."),
    ),
    Feature(
        "loan_to_income", _loan_to_income,
        +1, "LOAN_TO_INCOME",
        gettext_noop("Compared with your income, the loan is larger than the average applicant's."),
    ),
    Feature(
        "il_balance_to_income", _il_balance_to_income,
        +1, "DEBT_TO_INCOME",
        gettext_noop("Compared with your income, you owe more on loans than the average applicant."),
    ),
    Feature(
        "il_unpaid_share", _il_unpaid_share,
        +1, "LOANS_LARGELY_UNPAID",
        gettext_noop("You still owe a larger share of your existing loans than the average applicant."),
    ),
)

FEATURE_NAMES: tuple[str, ...] = tuple(feat.name for feat in FEATURES)
FEATURES_BY_NAME: dict[str, Feature] = {feat.name: feat for feat in FEATURES}


def feature_values(facts: ApplicationFacts) -> dict[str, float | None]:
    """Each model input's value; None when the facts needed are unknown or invalid."""
    return {feat.name: feat.compute(facts) for feat in FEATURES}
