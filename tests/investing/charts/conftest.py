"""Chart tests: loans funded by chosen investors in chosen shares, serviced through the real batch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.lending import services as lending
from peerlend.lending.models import Loan
from tests.servicing.conftest import (  # noqa: F401  (fixtures re-used from the servicing tests)
    borrower,
    business_day,
    deposit,
    drain,
    investor_factory,
    listed_loan,
    officer,
    young_borrower,
)


@pytest.fixture
def funded_loan(listed_loan: Callable[..., Loan]) -> Callable[..., Loan]:  # noqa: F811
    """A loan of a fresh borrower funded by ``holders`` ((investor, amount) pairs, in that order), disbursed."""

    def build(holders: Sequence[tuple[User, int]], term_months: int = 12, **overrides: Any) -> Loan:
        loan = listed_loan(borrower=young_borrower(), amount_minor=sum(a for _i, a in holders),
                           term_months=term_months, **overrides)
        for investor, amount in holders:
            lending.invest(investor=investor, loan_id=loan.pk, amount_minor=amount)
        loan.refresh_from_db()
        assert loan.status == "current"
        drain(loan.borrower)  # the borrower spends the loan: repayments need fresh deposits
        return loan

    return build
