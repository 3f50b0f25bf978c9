"""Builders for campaign tests: crafted members, loans, notes and repayments (no marketplace run needed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from peerlend.accounts.models import Role, User
from peerlend.clock import set_business_date
from peerlend.ledger import services as ledger
from peerlend.lending.models import Loan, Note
from peerlend.marketing.campaigns.services import CampaignInput
from peerlend.marketing.coupons.templates import TemplateInput, create_template
from peerlend.marketing.models_coupons import CouponTemplate
from peerlend.servicing.models import Installment, ServicingPayment
from tests.factories import make_staff, make_user

TODAY = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def business_day(db: None) -> dt.date:
    set_business_date(TODAY)
    return TODAY


@pytest.fixture
def operator(db: None) -> User:
    return make_staff(Role.OPERATOR)


def member(roles: tuple[str, ...] = ("investor",)) -> User:
    return make_user(roles=roles, kyc=False)


def loan(borrower: User, *, status: str = "current", installments: tuple[tuple[dt.date, dt.date | None], ...] = ()
         ) -> Loan:
    made = Loan.objects.create(
        borrower=borrower, amount_minor=10_000_00, term_months=12, repayment_method="equal_installment",
        purpose="debt_consolidation", title="loan", annual_income_minor=180_000_00, status=status)
    for number, (due, paid) in enumerate(installments, start=1):
        Installment.objects.create(loan=made, number=number, due_date=due, principal_minor=800_00,
                                   interest_minor=100_00, status="paid" if paid else "scheduled", paid_on=paid)
    return made


def note(investor: User, amount_minor: int, placed_on: dt.date, *, status: str = "active",
         on: Loan | None = None) -> Note:
    target = on or loan(member(("borrower",)))
    return Note.objects.create(loan=target, investor=investor, amount_minor=amount_minor, status=status,
                               placed_on=placed_on)


def repayment(borrower: User, amount_minor: int, on: dt.date) -> ServicingPayment:
    """A repayment the borrower made (a posted entry stands in for the books' side)."""
    entry = ledger.post_entry(kind="reconciliation", lines=[(ledger.platform_account("suspense"), amount_minor),
                                                           (ledger.platform_account("custody_bank"), -amount_minor)])
    return ServicingPayment.objects.create(loan=loan(borrower), kind="repayment", payer=borrower,
                                           amount_minor=amount_minor, entry=entry, business_date=on)


def coupon_template(operator: User, value_minor: int = 20_00, **overrides: Any) -> CouponTemplate:
    values: dict[str, Any] = {
        "name": "Come back 20", "kind": "service_voucher", "channel": "both", "value_minor": value_minor,
        "valid_from": TODAY - dt.timedelta(days=1), "valid_until": TODAY + dt.timedelta(days=60)}
    values.update(overrides)
    return create_template(operator, TemplateInput(**values))


def campaign_input(**overrides: Any) -> CampaignInput:
    values: dict[str, Any] = {
        "name": "Welcome back", "segment": "never_invested", "reward": "points", "points": 10, "budget": 1000,
        "message": "A gift for you", "run_on": TODAY}
    values.update(overrides)
    return CampaignInput(**values)
