"""Each earning rule: registration, identity, investment (member day), refund reversal, on-time
repayment, birthday, offline visit; and expiry. Re-running a day changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from peerlend.accounts.models import Role, User
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from peerlend.lending import services as lending
from peerlend.lending.listing_closure import cancel
from peerlend.lending.models import Loan
from peerlend.marketing.members.earning import award_offline_visit, invest_key, step_member_points
from peerlend.marketing.members.points import award_points, spend_points
from peerlend.marketing.models_members import Member, PointsEntry, PointsReason
from peerlend.servicing.repayments import repay
from tests.factories import make_agent, make_identity, make_staff, make_user
from tests.lending.conftest import START, deposit, investor_factory, listed_loan, officer  # noqa: F401
from tests.marketing.members.conftest import assert_books, balance
from tests.servicing.conftest import borrower, disbursed_loan, schedule  # noqa: F401


def reasons(user: User) -> list[str]:
    return sorted(PointsEntry.objects.filter(member_id=user.pk).values_list("reason", flat=True))


def test_registration_earns_points_once(db: None) -> None:
    user = make_user(kyc=False)
    assert reasons(user) == ["registration"] and balance(user) == 100
    user.save()
    assert balance(user) == 100


def test_staff_earn_no_registration_points(db: None) -> None:
    assert not Member.objects.filter(pk=make_staff(Role.OPERATOR).pk).exists()


def test_verified_identity_earns_points_and_keeps_the_birthday(db: None) -> None:
    from peerlend.domain.validators import make_resident_id

    user = make_user(kyc=False)
    make_identity(user, resident_id=make_resident_id("110101", date(1990, 7, 9), 123))
    assert reasons(user) == ["identity_verified", "registration"] and balance(user) == 300
    assert Member.objects.get(pk=user.pk).birth_md == "0709"


def test_birthday_points_once_a_year(db: None, quiet_rules: dict[str, Any]) -> None:
    quiet_rules["BIRTHDAY_POINTS"] = 500
    user = make_user(kyc=False)
    Member.objects.create(user=user, birth_md="0302")
    assert step_member_points(START, 100) >= 1
    assert step_member_points(START, 100) == 0
    assert reasons(user) == ["birthday"] and balance(user) == 500
    step_member_points(START + timedelta(days=1), 100)
    assert balance(user) == 500


def test_leap_day_birthday_is_celebrated_on_28_february(db: None, quiet_rules: dict[str, Any]) -> None:
    quiet_rules["BIRTHDAY_POINTS"] = 500
    user = make_user(kyc=False)
    Member.objects.create(user=user, birth_md="0229")
    step_member_points(date(2027, 2, 28), 100)
    assert reasons(user) == ["birthday"]


def _invest(loan: Loan, investor: User, amount_minor: int) -> int:
    return lending.invest(investor=investor, loan_id=loan.pk, amount_minor=amount_minor).pk


def test_investment_earns_one_point_per_100_cny(listed_loan: Callable[..., Loan],  # noqa: F811
                                                investor_factory: Callable[..., User],  # noqa: F811
                                                quiet_rules: dict[str, Any]) -> None:
    investor = investor_factory(5_000_00)
    note_id = _invest(listed_loan(), investor, 2_550_00)
    step_member_points(START, 100)
    entry = PointsEntry.objects.get(member_id=investor.pk, reason=PointsReason.INVESTMENT)
    assert entry.delta == 25 and entry.idempotency_key == invest_key(note_id)
    step_member_points(START, 100)
    assert balance(investor) == 25
    assert_books(investor)


def test_member_day_multiplies_investment_points(listed_loan: Callable[..., Loan],  # noqa: F811
                                                 investor_factory: Callable[..., User],  # noqa: F811
                                                 quiet_rules: dict[str, Any]) -> None:
    quiet_rules["MEMBER_DAY"] = START.day
    investor = investor_factory(5_000_00)
    _invest(listed_loan(), investor, 1_000_00)
    step_member_points(START, 100)
    assert balance(investor) == 20


def test_a_refunded_investment_loses_its_points(listed_loan: Callable[..., Loan],  # noqa: F811
                                                investor_factory: Callable[..., User],  # noqa: F811
                                                quiet_rules: dict[str, Any]) -> None:
    investor = investor_factory(5_000_00)
    loan = listed_loan()
    _invest(loan, investor, 1_000_00)
    step_member_points(START, 100)
    assert balance(investor) == 10
    cancel(actor=loan.borrower, loan_id=loan.pk, reason="no longer needed")
    step_member_points(START + timedelta(days=1), 100)
    step_member_points(START + timedelta(days=2), 100)
    assert balance(investor) == 0
    assert reasons(investor) == ["investment", "refund_reversal"]
    assert_books(investor)


def test_on_time_repayment_earns_points_late_does_not(disbursed_loan: Callable[..., Loan],  # noqa: F811
                                                      quiet_rules: dict[str, Any]) -> None:
    loan = disbursed_loan(amount_minor=12_000_00, term_months=12)
    first = schedule(loan)[0]
    due = first.principal_minor + first.interest_minor
    deposit(loan.borrower, due)
    repay(actor=loan.borrower, loan_id=loan.pk, amount_minor=due, today=first.due_date)
    step_member_points(first.due_date, 100)
    entry = PointsEntry.objects.get(member_id=loan.borrower_id, reason=PointsReason.ON_TIME_REPAYMENT)
    assert entry.delta == due // 100_00 and entry.reference == f"installment:{first.pk}"
    second = schedule(loan)[1]
    late = second.due_date + timedelta(days=3)
    second.__class__.objects.filter(pk=second.pk).update(status="paid", paid_on=late)
    step_member_points(late, 100)
    assert PointsEntry.objects.filter(member_id=loan.borrower_id, reason=PointsReason.ON_TIME_REPAYMENT).count() == 1


def test_an_agent_records_a_visit(db: None, quiet_rules: dict[str, Any]) -> None:
    agent, member = make_agent(), make_user(kyc=False)
    entry = award_offline_visit(agent=agent, member=member, visit_reference="visit:1", idempotency_key="visit:1")
    assert entry.delta == 50 and entry.reason == PointsReason.OFFLINE_VISIT
    event = AuditEvent.objects.get(action="marketing.points_offline_visit")
    assert event.actor_id == agent.pk


def test_only_agents_record_visits(db: None) -> None:
    with pytest.raises(ApplicationError) as exc:
        award_offline_visit(agent=make_user(kyc=False), member=make_user(kyc=False), visit_reference="v",
                            idempotency_key="v")
    assert exc.value.code == "forbidden_role"


def test_points_expire_after_the_configured_months(db: None, quiet_rules: dict[str, Any]) -> None:
    quiet_rules["EXPIRY_MONTHS"] = 1
    user = make_user(kyc=False)
    award_points(user, 100, reason=PointsReason.CAMPAIGN_TASK, reference="t", idempotency_key="t1")
    spend_points(user, 30, reason=PointsReason.REDEMPTION, reference="c", idempotency_key="s1")
    step_member_points(date(2026, 4, 1), 100)
    assert balance(user) == 70
    step_member_points(date(2026, 4, 2), 100)
    assert balance(user) == 0
    expiry = PointsEntry.objects.get(member_id=user.pk, reason=PointsReason.EXPIRY)
    assert expiry.delta == -70
    step_member_points(date(2026, 4, 3), 100)
    assert PointsEntry.objects.filter(reason=PointsReason.EXPIRY).count() == 1
    assert_books(user)


def test_a_visit_recorded_at_the_point_earns_points_once_a_day(db: None, quiet_rules: dict[str, Any]) -> None:
    from peerlend.accounts.network.fieldwork import record_visit

    member = make_user(kyc=False, channel="offline")
    agent = member.registered_by
    record_visit(agent, member=member, purpose="documents", visited_on=START)
    record_visit(agent, member=member, purpose="registration", visited_on=START)
    entry = PointsEntry.objects.get(member_id=member.pk, reason=PointsReason.OFFLINE_VISIT)
    assert entry.delta == 50 and entry.reference.startswith("visit:")


def test_the_step_works_in_small_chunks(listed_loan: Callable[..., Loan],  # noqa: F811
                                        investor_factory: Callable[..., User],  # noqa: F811
                                        quiet_rules: dict[str, Any]) -> None:
    investors = [investor_factory(1_000_00) for _ in range(3)]
    loan = listed_loan()
    for who in investors:
        _invest(loan, who, 300_00)
    assert step_member_points(START, 1) == 3
    assert [balance(who) for who in investors] == [3, 3, 3]
    cancel(actor=loan.borrower, loan_id=loan.pk, reason="no longer needed")
    assert step_member_points(START + timedelta(days=1), 1) == 3
    assert [balance(who) for who in investors] == [0, 0, 0]
