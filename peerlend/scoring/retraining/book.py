"""The training book: matured loans, their application facts and their outcome over a horizon.

Scoring cannot read loans or installments (docs/DESIGN.md, "Layers"): servicing registers a
provider (``servicing.training_book``) that returns one :class:`BookLoan` per disbursed loan.
Everything here is pure, so the outcome rule is tested on crafted rows.

Outcome over ``horizon_months`` after disbursement: bad when an installment was still unpaid 90
days after its due date, with that 90th day inside the horizon (and on or before ``as_of``), or
when the loan was charged off within the horizon. Defaults come 121 days past due (settings
``DEFAULT_DAYS``), so a default is always 90+ days past due first. Compensation from the risk
reserve is not the borrower paying: ``paid_on`` is the borrower's own full payment.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from peerlend.scoring.facts import ApplicationFacts

BAD_DAYS_PAST_DUE = 90
HORIZON_RANGE = (3, 60)  # months
MIN_BAD_RANGE = (1, 100_000)
CHARGED_OFF = "charged_off"


@dataclass(frozen=True, slots=True)
class BookLoan:
    loan_id: int
    disbursed_on: dt.date
    amount_minor: int
    status: str
    closed_on: dt.date | None
    facts: ApplicationFacts  # as stored at application
    installments: tuple[tuple[dt.date, dt.date | None], ...]  # (due date, fully paid on) in schedule order


@dataclass(frozen=True, slots=True)
class Row:
    loan: BookLoan
    bad: bool


@dataclass(frozen=True, slots=True)
class Dataset:
    rows: tuple[Row, ...]  # matured loans, by (disbursed_on, loan_id)
    immature: int  # disbursed too recently to have run the whole horizon
    as_of: dt.date
    horizon_months: int

    @property
    def bad(self) -> int:
        return sum(r.bad for r in self.rows)


BookProvider = Callable[[dt.date], Iterable[BookLoan]]
_PROVIDER: list[BookProvider] = []


def register_book_provider(fn: BookProvider) -> None:
    """Set (replace) the function listing the loans disbursed on or before a date."""
    _PROVIDER[:] = [fn]


def book_loans(as_of: dt.date) -> list[BookLoan]:
    if not _PROVIDER:
        return []
    return list(_PROVIDER[0](as_of))


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def horizon_end(loan: BookLoan, horizon_months: int) -> dt.date:
    return add_months(loan.disbursed_on, horizon_months)


def is_bad(loan: BookLoan, horizon_months: int) -> bool:
    """Whether the loan went bad within the horizon (module docstring)."""
    end = horizon_end(loan, horizon_months)
    if loan.status == CHARGED_OFF and loan.closed_on is not None and loan.closed_on <= end:
        return True
    for due, paid_on in loan.installments:
        day_90 = due + dt.timedelta(days=BAD_DAYS_PAST_DUE)
        if day_90 > end:
            break  # installments are in schedule order: later ones reach 90 days even later
        if paid_on is None or paid_on > day_90:
            return True
    return False


def build_dataset(loans: Iterable[BookLoan], as_of: dt.date, horizon_months: int) -> Dataset:
    """Matured loans (the horizon ended on or before ``as_of``) with their outcome."""
    rows: list[Row] = []
    immature = 0
    for loan in sorted(loans, key=lambda b: (b.disbursed_on, b.loan_id)):
        if horizon_end(loan, horizon_months) > as_of:
            immature += 1
            continue
        rows.append(Row(loan, is_bad(loan, horizon_months)))
    return Dataset(tuple(rows), immature, as_of, horizon_months)
