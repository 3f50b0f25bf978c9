"""One "in the month" for every staff figure (the business date), and counter repayments as collections.

Facts here are made through the platform's own services (counter, repayment, registration, KYC), so
the dates they record are the ones production records.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peerlend.accounts.models import Identity, ServicePoint, User
from peerlend.accounts.services import register_member_offline
from peerlend.clock import set_business_date
from peerlend.lending.models import Loan
from peerlend.marketing.staff.export import render_csv
from peerlend.marketing.staff.metrics import actuals, collections_recovered_payments, metric_by
from peerlend.marketing.staff.report import completion_report
from peerlend.marketing.staff.rules import Rule, compute_month
from peerlend.servicing import counter
from peerlend.servicing.models import Installment, ServicingPayment
from peerlend.servicing.repayments import repay
from tests.factories import make_agent, make_identity, make_service_point
from tests.network.conftest import agent, member_loan, point  # noqa: F401  (fixtures)
from tests.servicing.conftest import (  # noqa: F401  (fixtures; business_day sets START, 2 March 2026)
    START,
    borrower,
    business_day,
    deposit,
    disbursed_loan,
    investor_factory,
    listed_loan,
    officer,
)

pytestmark = pytest.mark.django_db
MARCH, APRIL, MAY = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)


def _first_due(loan: Loan) -> int:
    first = Installment.objects.filter(loan=loan).order_by("number").first()
    assert first is not None
    return first.due_minor


def _collected(grouping: str, start: dt.date = MARCH, end: dt.date = APRIL) -> dict[object, int]:
    return metric_by("collections_recovered_minor", grouping, start, end)  # type: ignore[arg-type]


def test_a_counter_repayment_counts_once_for_its_agent_point_and_month(
        agent: User, point: ServicePoint, member_loan: Loan) -> None:  # noqa: F811
    due = _first_due(member_loan)
    counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=due, method="cash",
                           idempotency_key="staff-1")
    assert START.month == 3
    assert _collected("agent") == {agent.pk: due}
    assert _collected("point") == {point.pk: due}  # where the cash was taken (the loan was filed online)
    assert _collected("city") == {point.city: due}
    assert actuals("month", MARCH, APRIL)[MARCH]["collections_recovered_minor"] == due
    assert _collected("agent", APRIL, MAY) == {}  # not in another month
    # Once: one payment row, whichever path counts it.
    assert collections_recovered_payments().count() == ServicingPayment.objects.count() == 1
    # The report page, its total and the export read the same figure.
    report = completion_report("agent", MARCH)
    assert report.total()["collections_recovered_minor"].actual == due
    row = next(r for r in report.rows if r.key == agent.pk)
    assert row.cells["collections_recovered_minor"].actual == due
    assert str(due // 100) in render_csv(report).decode("utf-8-sig")


def test_a_repayment_made_online_does_not_count_for_the_agent(agent: User, member_loan: Loan) -> None:  # noqa: F811
    due = _first_due(member_loan)
    deposit(member_loan.borrower, due)
    repay(actor=member_loan.borrower, loan_id=member_loan.pk, amount_minor=due, today=START)
    assert ServicingPayment.objects.filter(loan=member_loan).count() == 1
    assert _collected("agent") == {}
    assert _collected("point") == {}


def test_counter_and_staff_collections_add_up_without_double_counting(
        agent: User, point: ServicePoint, member_loan: Loan, officer: User) -> None:  # noqa: F811
    due = _first_due(member_loan)
    counter.take_repayment(agent=agent, loan_id=member_loan.pk, amount_minor=due, method="card",
                           idempotency_key="staff-2")
    taken = ServicingPayment.objects.get()
    # The other path: a payment a staff member took for the borrower (actor is not the payer).
    other = ServicingPayment.objects.create(loan=member_loan, kind="repayment", payer=member_loan.borrower,
                                            actor=officer, amount_minor=5_00, entry=_entry(5_00),
                                            business_date=START)
    assert _collected("agent") == {agent.pk: taken.amount_minor, officer.pk: other.amount_minor}
    # Even a counter payment whose actor were staff would count once, for the receipt's agent.
    ServicingPayment.objects.filter(pk=taken.pk).update(actor=officer)
    assert _collected("agent") == {agent.pk: due, officer.pk: 5_00}


def _entry(amount_minor: int) -> object:
    from peerlend.ledger import services as ledger

    return ledger.post_entry(kind="reconciliation", lines=[(ledger.platform_account("suspense"), amount_minor),
                                                           (ledger.platform_account("custody_bank"), -amount_minor)])


def test_a_registration_counts_in_its_business_month_whatever_the_wall_clock() -> None:
    p = make_service_point()
    a = make_agent(p)
    set_business_date(dt.date(2026, 3, 31))  # a batch still running 31 March ...
    member = register_member_offline(a, username="late-march", send_link=False)
    make_identity(member, agent=a, point=p)
    # ... while the wall clock is already in April (Shanghai).
    april = dt.datetime(2026, 4, 1, 0, 30, tzinfo=timezone.get_current_timezone())
    User.objects.filter(pk=member.pk).update(date_joined=april)
    Identity.objects.filter(user=member).update(verified_at=april)
    member.refresh_from_db()
    assert member.registered_on == dt.date(2026, 3, 31) and member.identity.verified_on == dt.date(2026, 3, 31)
    march = actuals("agent", MARCH, APRIL)[a.pk]
    assert march["members_registered"] == 1 and march["identities_verified"] == 1
    assert actuals("agent", APRIL, MAY) == {}
    assert actuals("month", MARCH, MAY)[MARCH]["members_registered"] == 1
    # Commissions count by the same month.
    rules = [Rule(code="reg", kind="fixed_per_registered_member", amount_minor=5_00),
             Rule(code="ver", kind="fixed_per_verified_member", amount_minor=10_00)]
    assert {(line.rule.code, line.agent_id, line.basis_count) for line in compute_month(MARCH, rules)} == {
        ("reg", a.pk, 1), ("ver", a.pk, 1)}
    assert compute_month(APRIL, rules) == []
