"""A verified borrower's credit limit from the model's PD, declared income and debt, and the caps.

Decision (issue 17): the limit is recomputed on every read from current facts and never stored, so
it is reviewed after each repaid or late installment without a refresh hook to forget. The facts
(the latest scored application, what is outstanding on the platform, the platform history) live
above scoring; servicing registers a :data:`BookProvider` here (``servicing.credit_facts``).
Lending's intake passes the new application's own facts in directly (:func:`limit_for_application`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from peerlend.domain.credit_limit import CreditLimit, LimitInputs, compute_limit
from peerlend.scoring.history import history_of, score_with_history
from peerlend.scoring.model import CreditModel
from peerlend.scoring.retraining.live import live_model

#: What each bound of peerlend.domain.credit_limit means, for pages and refusals.
BOUND_LABELS = {
    "regulatory": gettext_lazy("regulatory borrowing cap"),
    "risk": gettext_lazy("credit risk too high for any credit"),
    "income": gettext_lazy("multiple of declared annual income for your risk grade"),
    "debt_service": gettext_lazy("monthly repayments within half of monthly income, less declared debts"),
}


@dataclass(frozen=True, slots=True)
class BorrowerBook:
    """What the limit of a borrower is computed from, outside the application itself."""

    borrower_type: str
    outstanding_minor: int
    latest_application: Any | None  # the latest scored application (facts by attribute), None: none yet


BookProvider = Callable[[int], BorrowerBook | None]
_PROVIDER: list[BookProvider] = []


def register_book_provider(fn: BookProvider) -> None:
    _PROVIDER[:] = [fn]


def regulatory_cap(borrower_type: str) -> int:
    key = "CAP_COMPANY_MINOR" if borrower_type == "company" else "CAP_PERSON_MINOR"
    return int(settings.PEERLEND[key])


def limit_for_application(application: Any, *, borrower_id: int, borrower_type: str, outstanding_minor: int,
                          model: CreditModel | None = None) -> tuple[CreditLimit, Decimal]:
    """The limit given this application's facts (scored with the borrower's history), and its PD.

    Scored by ``model``, by default the live one (``retraining.live``): the model intake scores with.
    """
    result = score_with_history(application, history_of(borrower_id), model or live_model())
    inputs = LimitInputs(
        pd=result.pd,
        annual_income_minor=int(getattr(application, "annual_income_minor", 0) or 0),
        monthly_debt_payments_minor=int(getattr(application, "monthly_debt_payments_minor", 0) or 0),
        outstanding_minor=outstanding_minor,
        regulatory_cap_minor=regulatory_cap(borrower_type),
        borrower_type=borrower_type,
    )
    return compute_limit(inputs), result.pd


def borrower_limit(borrower_id: int) -> CreditLimit | None:
    """The borrower's current limit (None before any scored application: no PD or income to go on)."""
    book = _PROVIDER[0](borrower_id) if _PROVIDER else None
    if book is None or book.latest_application is None:
        return None
    limit, _pd = limit_for_application(book.latest_application, borrower_id=borrower_id,
                                       borrower_type=book.borrower_type, outstanding_minor=book.outstanding_minor)
    return limit
