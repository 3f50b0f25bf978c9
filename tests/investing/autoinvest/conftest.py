"""Auto-invest tests: marketplace builders plus a rule builder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from peerlend.accounts.models import User
from peerlend.investing.autoinvest import services
from peerlend.investing.autoinvest.rules import RuleInput
from peerlend.investing.models_autoinvest import AutoInvestRule
from tests.lending.conftest import (  # noqa: F401  (fixtures)
    borrower,
    business_day,
    investor_factory,
    listed_loan,
    officer,
)


def rule_input(**overrides: Any) -> RuleInput:
    values: dict[str, Any] = {"name": "Any loan", "amount_per_note_minor": 100_00, "max_per_loan_minor": 1_000_00}
    values.update(overrides)
    return RuleInput(**values)


@pytest.fixture
def make_rule() -> Callable[..., AutoInvestRule]:
    def build(investor: User, **overrides: Any) -> AutoInvestRule:
        return services.create_rule(investor, rule_input(**overrides))

    return build


@pytest.fixture
def list_loan(listed_loan: Callable[..., Any],  # noqa: F811
              django_capture_on_commit_callbacks: Any,
              caplog: pytest.LogCaptureFixture) -> Callable[..., Any]:
    """A loan listed with its listing hooks run (as after the approval commits); a failed round fails the test."""
    def build(**overrides: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            loan = listed_loan(**overrides)
        failures = [r for r in caplog.records if r.name == "peerlend.investing.autoinvest"]
        assert not failures, failures[0].exc_text
        return loan

    return build


@pytest.fixture
def loan_of_new_borrower(list_loan: Callable[..., Any]) -> Callable[..., Any]:
    """A listed loan (hooks run) of a fresh borrower: one borrower has one listing at a time."""
    from tests.factories import make_user

    def build(**overrides: Any) -> Any:
        return list_loan(borrower=make_user(roles=("borrower", "investor")), **overrides)

    return build
