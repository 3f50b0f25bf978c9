"""Builders for the service-point network tests: a point with an agent and a manager, a member of it with a loan."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from peerlend.accounts.models import AgentMembership, ServicePoint, User
from peerlend.lending.models import Loan
from tests.factories import make_agent, make_service_point
from tests.servicing.conftest import (  # noqa: F401  (fixtures re-used from the servicing tests)
    START,
    borrower,
    business_day,
    deposit,
    disbursed_loan,
    investor_factory,
    listed_loan,
    officer,
)


@pytest.fixture
def point(db: None) -> ServicePoint:
    return make_service_point()


@pytest.fixture
def agent(point: ServicePoint) -> User:
    return make_agent(point)


@pytest.fixture
def manager(point: ServicePoint) -> User:
    user = make_agent(point)
    AgentMembership.objects.filter(agent=user).update(role=AgentMembership.PointRole.MANAGER)
    return user


@pytest.fixture
def other_agent(db: None) -> User:
    """An agent of another point: refused for the members of ``point``."""
    return make_agent()


@pytest.fixture
def member_loan(disbursed_loan: Callable[..., Loan], point: ServicePoint) -> Loan:  # noqa: F811
    """A disbursed loan (12 months) whose borrower was registered at ``point``."""
    loan = disbursed_loan(amount_minor=12_000_00, term_months=12)
    User.objects.filter(pk=loan.borrower_id).update(registered_point=point)
    loan.borrower.refresh_from_db()
    return loan


@pytest.fixture
def application_at_point(point: ServicePoint) -> Loan:
    """An application under review whose borrower was registered at ``point``."""
    from peerlend.lending import services as lending
    from tests.lending.conftest import application
    from tests.servicing.conftest import young_borrower

    member = young_borrower()
    User.objects.filter(pk=member.pk).update(registered_point=point)
    member.refresh_from_db()
    loan = lending.submit_application(borrower=member, data=application(amount_minor=4_000_00))
    assert loan.status == "under_review", (loan.status, loan.decision_reason)
    return loan


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ALL_CONFIRMED = {item: ("confirmed", "") for item in ("residence", "workplace", "income", "collateral")}
