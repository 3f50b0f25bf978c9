"""What an application must state, and the rules it is checked against before it is filed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext as _

from peerlend.accounts.models import User
from peerlend.domain.lifecycle import LoanStatus
from peerlend.domain.money import format_minor
from peerlend.domain.schedule import METHODS
from peerlend.errors import ApplicationError
from peerlend.lending.models import BorrowerType, Housing, Loan, Purpose
from peerlend.lending.service_support import rule

MIN_TERM_MONTHS = 3
MAX_TERM_MONTHS = 36
# Documented ranges (inclusive) of the facts an application states; the API schema and the web form
# show the same bounds, and validate_application enforces them for every channel. A fact outside is a 400.
MAX_ANNUAL_INCOME_MINOR = 10**12  # 10,000,000,000.00 CNY a year
MAX_MONTHLY_DEBT_MINOR = 10**11  # 1,000,000,000.00 CNY a month
MAX_BALANCE_MINOR = 10**12  # delinquent amounts and installment-loan balances and limits
MAX_EMPLOYMENT_YEARS = 60
MAX_EVENT_COUNT = 99  # late payments, inquiries, delinquent accounts, loans opened recently
MAX_LOANS_EVER = 999  # installment loans ever held
MAX_UTILISATION_PCT = Decimal(200)
FACT_RANGES: dict[str, tuple[int, int]] = {
    "term_months": (MIN_TERM_MONTHS, MAX_TERM_MONTHS),
    "annual_income_minor": (1, MAX_ANNUAL_INCOME_MINOR),
    "monthly_debt_payments_minor": (0, MAX_MONTHLY_DEBT_MINOR),
    "employment_years": (0, MAX_EMPLOYMENT_YEARS),
    "delinq_2yrs": (0, MAX_EVENT_COUNT),
    "inq_last_6mths": (0, MAX_EVENT_COUNT),
    "inq_last_12m": (0, MAX_EVENT_COUNT),
    "inq_fi": (0, MAX_EVENT_COUNT),
    "acc_now_delinq": (0, MAX_EVENT_COUNT),
    "delinq_amnt_minor": (0, MAX_BALANCE_MINOR),
    "open_il_6m": (0, MAX_EVENT_COUNT),
    "open_il_12m": (0, MAX_EVENT_COUNT),
    "open_il_24m": (0, MAX_EVENT_COUNT),
    "num_il_tl": (0, MAX_LOANS_EVER),
    "total_bal_il_minor": (0, MAX_BALANCE_MINOR),
    "total_il_high_credit_limit_minor": (0, MAX_BALANCE_MINOR),
}
# Facts an application may leave out (None: unknown); every other one in FACT_RANGES is required.
OPTIONAL_FACTS = frozenset({"employment_years", "inq_last_12m", "inq_fi", "open_il_6m", "open_il_12m", "open_il_24m",
                            "num_il_tl", "total_bal_il_minor", "total_il_high_credit_limit_minor"})
PERCENT_FIELDS = ("revol_util_pct", "all_util_pct")
# Codes kept from before the ranges were documented (clients match on them).
_FACT_CODES = {"term_months": "invalid_term", "annual_income_minor": "invalid_income",
               "employment_years": "invalid_employment"}
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
DOCUMENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
# Statuses whose requested amount counts against the borrowing cap before disbursement.
_PIPELINE = (
    LoanStatus.SUBMITTED,
    LoanStatus.UNDER_REVIEW,
    LoanStatus.DOCUMENTS_REQUESTED,
    LoanStatus.APPROVED,
    LoanStatus.LISTED,
    LoanStatus.FUNDED,
)
_OUTSTANDING = (LoanStatus.CURRENT, LoanStatus.LATE, LoanStatus.DEFAULTED)


@dataclass
class ApplicationInput:
    amount_minor: int
    term_months: int
    repayment_method: str
    purpose: str
    annual_income_minor: int
    title: str = ""
    description: str = ""
    # The borrower type comes from the verified identity (KYC). Optional here: if given it must
    # match the identity (400 ``borrower_type_mismatch``), so nobody borrows under the company cap
    # by saying "company".
    borrower_type: str | None = None
    employment_years: int | None = None
    housing: str = Housing.RENT
    monthly_debt_payments_minor: int = 0
    region: str = ""
    delinq_2yrs: int = 0
    inq_last_6mths: int = 0
    inq_last_12m: int | None = None
    inq_fi: int | None = None
    revol_util_pct: Decimal | None = None
    all_util_pct: Decimal | None = None
    acc_now_delinq: int = 0
    delinq_amnt_minor: int = 0
    open_il_6m: int | None = None
    open_il_12m: int | None = None
    open_il_24m: int | None = None
    num_il_tl: int | None = None
    total_bal_il_minor: int | None = None
    total_il_high_credit_limit_minor: int | None = None
    income_verified: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class UploadedDocument:
    kind: str
    name: str
    content_type: str
    content: bytes


def validate_application(data: ApplicationInput) -> None:
    unit = rule("NOTE_UNIT_MINOR")
    minimum = rule("MIN_LOAN_MINOR")
    if not isinstance(data.amount_minor, int) or data.amount_minor < minimum:
        raise ApplicationError(_("the amount must be at least %(min)s CNY") % {"min": format_minor(minimum)},
                               code="amount_too_small")
    if data.amount_minor % unit:
        raise ApplicationError(_("the amount must be a multiple of %(unit)s CNY") % {"unit": format_minor(unit)},
                               code="amount_not_multiple")
    _validate_facts(data)
    if data.repayment_method not in METHODS:
        raise ApplicationError(_("unknown repayment method %(v)r") % {"v": data.repayment_method},
                               code="invalid_method")
    if data.purpose not in Purpose.values:
        raise ApplicationError(_("unknown purpose %(v)r") % {"v": data.purpose}, code="invalid_purpose")
    if data.borrower_type is not None and data.borrower_type not in BorrowerType.values:
        raise ApplicationError(_("unknown borrower type %(v)r") % {"v": data.borrower_type},
                               code="invalid_borrower_type")
    if data.housing not in Housing.values:
        raise ApplicationError(_("unknown housing %(v)r") % {"v": data.housing}, code="invalid_housing")


def _validate_facts(data: ApplicationInput) -> None:
    """Every count and amount within FACT_RANGES, every percentage a finite number within 0..200."""
    for name, (lo, hi) in FACT_RANGES.items():
        value = getattr(data, name)
        if value is None and name in OPTIONAL_FACTS:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ApplicationError(_range_message(name, lo, hi), code=_FACT_CODES.get(name, "invalid_fact"),
                                   extra={"field": name.removesuffix("_minor")})
    for name in PERCENT_FIELDS:
        value = getattr(data, name)
        if value is None:
            continue
        try:
            number = Decimal(value) if isinstance(value, (int, str, Decimal)) and not isinstance(value, bool) else None
        except ArithmeticError:  # decimal.InvalidOperation: not a number at all
            number = None
        if number is None or not number.is_finite() or not Decimal(0) <= number <= MAX_UTILISATION_PCT:
            raise ApplicationError(
                _("%(field)s must be a number between 0 and %(hi)s") % {"field": name, "hi": MAX_UTILISATION_PCT},
                code="invalid_fact", extra={"field": name},
            )


def _range_message(name: str, lo: int, hi: int) -> str:
    if name == "term_months":
        return _("the term must be between %(lo)d and %(hi)d months") % {"lo": lo, "hi": hi}
    if name.endswith("_minor"):  # an amount: shown in CNY under its API name
        return _("%(field)s must be between %(lo)s and %(hi)s CNY") % {
            "field": name.removesuffix("_minor"), "lo": format_minor(lo), "hi": format_minor(hi)}
    return _("%(field)s must be a whole number between %(lo)d and %(hi)d") % {"field": name, "lo": lo, "hi": hi}


def outstanding_for_cap(borrower: User, exclude_loan_id: int | None = None) -> int:
    """Principal that counts against the borrowing cap: requests in the pipeline plus principal owed."""
    loans = Loan.objects.filter(borrower=borrower)
    if exclude_loan_id is not None:
        loans = loans.exclude(pk=exclude_loan_id)
    pipeline = loans.filter(status__in=_PIPELINE).aggregate(s=Sum("amount_minor"))["s"] or 0
    owed = loans.filter(status__in=_OUTSTANDING).aggregate(s=Sum("principal_outstanding_minor"))["s"] or 0
    return int(pipeline) + int(owed)


def verified_borrower_type(borrower: User, declared: str | None) -> str:
    """The borrower type of ``borrower``'s verified identity; a declared type must agree with it."""
    from peerlend.accounts.selectors import identity_kind

    kind = identity_kind(borrower) or BorrowerType.PERSON
    if declared is not None and declared != kind:
        raise ApplicationError(
            _("borrower_type: you are verified as a %(kind)s, so you can only borrow as a %(kind)s (the application "
              "said %(declared)s); leave the borrower type out, it comes from your verification")
            % {"kind": str(BorrowerType(kind).label).lower(), "declared": declared},
            code="borrower_type_mismatch", extra={"field": "borrower_type"},
        )
    return kind


def check_age_at_maturity(borrower: User, borrower_type: str, term_months: int, today: date) -> None:
    """A person borrower may be at most ``BORROWER_MAX_AGE_AT_MATURITY`` on the loan's last due date.

    The last due date is estimated at application time as today + the term (the loan is disbursed
    later, so the real date is a little later still). Companies are not limited by their legal
    representative's age.
    """
    if borrower_type != BorrowerType.PERSON:
        return
    from peerlend.accounts.selectors import identity_of
    from peerlend.domain.schedule import add_months
    from peerlend.domain.validators import resident_id_age

    identity = identity_of(borrower)
    if identity is None:
        return
    limit = rule("BORROWER_MAX_AGE_AT_MATURITY")
    maturity = add_months(today, term_months)
    age = resident_id_age(identity.decrypted()["resident_id"], maturity)
    if age > limit:
        raise ApplicationError(
            _("borrowers may be at most %(max)d years old when the loan ends: you would be %(age)d on %(date)s; "
              "choose a shorter term")
            % {"max": limit, "age": age, "date": maturity.isoformat()},
            code="age_at_maturity", extra={"field": "term_months"},
        )


def check_borrowing_cap(borrower: User, borrower_type: str, amount_minor: int) -> None:
    cap = rule("CAP_COMPANY_MINOR") if borrower_type == BorrowerType.COMPANY else rule("CAP_PERSON_MINOR")
    current = outstanding_for_cap(borrower)
    if current + amount_minor > cap:
        raise ApplicationError(
            _("borrowing cap exceeded: %(current)s CNY already outstanding or requested + %(requested)s CNY "
              "requested > cap %(cap)s CNY for a %(type)s")
            % {"current": format_minor(current), "requested": format_minor(amount_minor), "cap": format_minor(cap),
               "type": str(BorrowerType(borrower_type).label).lower()},
            code="borrowing_cap",
            extra={
                "outstanding": format_minor(current),
                "requested": format_minor(amount_minor),
                "cap": format_minor(cap),
            },
        )
