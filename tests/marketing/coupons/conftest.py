"""Builders for coupon tests: templates, coupons, a listed or disbursed loan (marketplace fixtures)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from peerlend.accounts.models import Role, User
from peerlend.ledger import services as ledger
from peerlend.marketing.coupons.issuing import issue_coupon
from peerlend.marketing.coupons.templates import TemplateInput, create_template
from peerlend.marketing.models_coupons import Coupon, CouponPayout, CouponTemplate
from tests.factories import make_staff
from tests.servicing.conftest import (  # noqa: F401  (fixtures re-used from the marketplace tests)
    START,
    assert_audit_clean,
    borrower,
    business_day,
    deposit,
    disbursed_loan,
    investor_factory,
    listed_loan,
    officer,
)


@pytest.fixture
def operator(db: None) -> User:
    return make_staff(Role.OPERATOR)


def template_input(**overrides: Any) -> TemplateInput:
    values: dict[str, Any] = {
        "name": "Welcome 20", "kind": "cash_voucher", "channel": "online", "value_minor": 20_00,
        "valid_from": START - timedelta(days=1), "valid_until": START + timedelta(days=60),
    }
    if overrides.get("kind") == "rate_boost":
        values.update(value_minor=0, boost_rate=Decimal("0.0200"), boost_months=3)
    values.update(overrides)
    return TemplateInput(**values)


@pytest.fixture
def make_template(operator: User) -> Callable[..., CouponTemplate]:
    def build(**overrides: Any) -> CouponTemplate:
        return create_template(operator, template_input(**overrides))

    return build


@pytest.fixture
def give(make_template: Callable[..., CouponTemplate]) -> Callable[..., Coupon]:
    """A coupon of a new template (``overrides`` for the template) held by ``user``."""
    counter = iter(range(1, 10_000))

    def build(user: User, **overrides: Any) -> Coupon:
        template = make_template(**overrides)
        return issue_coupon(template, user, source="operator", idempotency_key=f"test-{next(counter)}")

    return build


def marketing_expense() -> int:
    """What the platform spent on marketing (the debit-normal balance, sign flipped)."""
    return -ledger.platform_account("marketing_expense").balance_minor


def payouts_total() -> int:
    return sum(CouponPayout.objects.values_list("amount_minor", flat=True))
