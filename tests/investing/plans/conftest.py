"""Builders for wealth-plan tests: an operator, plans with sensible terms, subscribers and listed loans."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from peerlend.accounts.models import Role, User
from peerlend.investing.models_plans import PlanSubscription, WealthPlan
from peerlend.investing.plans import services
from tests.factories import make_staff
from tests.lending.conftest import (  # noqa: F401  (fixtures)
    START,
    borrower,
    business_day,
    investor_factory,
    listed_loan,
    officer,
)


@pytest.fixture
def operator(db: None) -> User:
    return make_staff(Role.OPERATOR)


def plan_input(**overrides: Any) -> services.PlanInput:
    values: dict[str, Any] = {
        "name": "U-plan 12", "target_minor": 1_000_000_00, "subscribe_from": START,
        "subscribe_until": START + timedelta(days=6), "lock_months": 12, "exit_months": 12,
        "expected_rate_low": Decimal("0.0600"), "expected_rate_high": Decimal("0.0900"),
        "grades": ["A", "B", "C", "D", "E"], "max_share_bp": 500, "min_subscription_minor": 100_00,
        "max_subscription_minor": 500_000_00,
    }
    values.update(overrides)
    return services.PlanInput(**values)


@pytest.fixture
def make_plan(operator: User) -> Callable[..., WealthPlan]:
    """A plan, opened unless ``open_=False``."""
    def build(open_: bool = True, **overrides: Any) -> WealthPlan:
        plan = services.define_plan(actor=operator, data=plan_input(**overrides))
        if open_:
            plan = services.open_plan(actor=operator, plan_id=plan.pk)
        return plan

    return build


@pytest.fixture
def join(investor_factory: Callable[..., User]) -> Callable[..., PlanSubscription]:  # noqa: F811
    """A fresh investor (cash on hand) joins ``plan`` with ``amount_minor``."""
    def build(plan: WealthPlan, amount_minor: int, *, reinvest: bool = False, cash_minor: int | None = None,
              investor: User | None = None) -> PlanSubscription:
        who = investor or investor_factory(cash_minor if cash_minor is not None else amount_minor)
        return services.subscribe(investor=who, plan_id=plan.pk, amount_minor=amount_minor, reinvest=reinvest)

    return build
