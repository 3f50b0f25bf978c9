"""Investor suitability tests reuse the marketplace builders (listed loans, funded investors)."""

from tests.lending.conftest import (  # noqa: F401  (fixtures)
    borrower,
    business_day,
    investor_factory,
    listed_loan,
    officer,
)
