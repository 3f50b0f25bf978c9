"""Builders for staff-performance tests: points, agents, and the facts they are measured on.

Facts are written straight into their tables (members, identities, loans, installments, payments) with
the dates the tests need: the reports and commissions only read those tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from django.utils import timezone

from peerlend.accounts.models import Identity, Role, ServicePoint, User
from peerlend.clock import set_business_date
from peerlend.ledger import services as ledger
from peerlend.lending.models import Loan
from peerlend.servicing.models import Installment, ServicingPayment
from tests.factories import make_agent, make_identity, make_service_point, make_staff, make_user

MONTH = dt.date(2026, 3, 1)
TODAY = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def business_day(db: None) -> dt.date:
    set_business_date(TODAY)
    return TODAY


@pytest.fixture
def operator(db: None) -> User:
    return make_staff(Role.OPERATOR)


def point(city: str = "Beijing") -> ServicePoint:
    p = make_service_point()
    ServicePoint.objects.filter(pk=p.pk).update(city=city)
    p.refresh_from_db()
    return p


def agent_at(p: ServicePoint) -> User:
    return make_agent(p)


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def registered(agent: User, p: ServicePoint, *, on: dt.date, verify: bool = False) -> User:
    """A member the agent registered at ``p`` on ``on`` (and verified in person the same day)."""
    member = make_user(roles=("borrower",), kyc=False)
    User.objects.filter(pk=member.pk).update(channel="offline", registered_by=agent, registered_point=p,
                                             date_joined=at(on), registered_on=on)
    if verify:
        make_identity(member, agent=agent, point=p)
        Identity.objects.filter(user=member).update(verified_at=at(on), verified_on=on)
    member.refresh_from_db()
    return member


def filed_loan(agent: User, p: ServicePoint, *, amount_minor: int = 10_000_00, submitted_on: dt.date = MONTH,
               disbursed_on: dt.date | None = None,
               installments: Sequence[tuple[dt.date, dt.date | None]] = ()) -> Loan:
    """A loan the agent filed at ``p``; ``installments`` are (due date, paid on or None)."""
    borrower = make_user(roles=("borrower",), kyc=False)
    loan = Loan.objects.create(
        borrower=borrower, channel="offline", agent=agent, service_point=p, amount_minor=amount_minor,
        term_months=12, repayment_method="equal_installment", purpose="debt_consolidation", title="loan",
        annual_income_minor=180_000_00, status="current", submitted_on=submitted_on, disbursed_on=disbursed_on)
    for number, (due, paid) in enumerate(installments, start=1):
        Installment.objects.create(loan=loan, number=number, due_date=due, principal_minor=800_00,
                                   interest_minor=100_00, status="paid" if paid else "scheduled", paid_on=paid)
    return loan


def collected(agent: User, loan: Loan, amount_minor: int, *, on: dt.date) -> ServicingPayment:
    """A payment the agent took on ``loan`` (a posted entry stands in for the books' side)."""
    entry = ledger.post_entry(kind="reconciliation", lines=[(ledger.platform_account("suspense"), amount_minor),
                                                           (ledger.platform_account("custody_bank"), -amount_minor)])
    return ServicingPayment.objects.create(loan=loan, kind="repayment", payer_id=loan.borrower_id, actor=agent,
                                           amount_minor=amount_minor, entry=entry, business_date=on)


def figures(**values: Any) -> dict[str, int]:
    from peerlend.marketing.staff.metrics import METRICS

    out = dict.fromkeys(METRICS, 0)
    out.update(values)
    return out
