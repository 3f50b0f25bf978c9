"""A plan's life: defined (audited with its terms), opened, locked by date, exited, closed; staff only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError, Conflict, PermissionDenied
from peerlend.investing.models_plans import PlanStatus, SubscriptionStatus
from peerlend.investing.plans import daily, services
from peerlend.lending.models import Note
from tests.factories import make_user
from tests.investing.plans.conftest import START, plan_input
from tests.investing.plans.helpers import cash
from tests.lending.conftest import assert_audit_clean

pytestmark = pytest.mark.django_db


def test_define_is_a_draft_with_an_audit_row_of_its_terms(operator):
    plan = services.define_plan(actor=operator, data=plan_input(grades=["B", "A", "A"]))
    assert plan.status == PlanStatus.DRAFT
    assert plan.grades == ["A", "B"]
    event = AuditEvent.objects.get(action="investing.plan_defined")
    assert event.actor == operator
    assert event.target_id == str(plan.pk)
    assert event.new["target_minor"] == 1_000_000_00
    assert event.new["max_share_bp"] == 500


def test_members_cannot_define_plans(db):
    member = make_user(roles=("investor",))
    with pytest.raises(PermissionDenied):
        services.define_plan(actor=member, data=plan_input())


@pytest.mark.parametrize(("overrides", "field"), [
    ({"name": " "}, "name"),
    ({"target_minor": 123}, "target"),
    ({"target_minor": 200_000_000_00}, "target"),
    ({"min_subscription_minor": 0}, "min_subscription"),
    ({"min_subscription_minor": 1_000_00, "max_subscription_minor": 500_00}, "max_subscription"),
    ({"max_subscription_minor": 2_000_000_00}, "max_subscription"),
    ({"subscribe_until": START - timedelta(days=1)}, "subscribe_until"),
    ({"subscribe_until": START + timedelta(days=91)}, "subscribe_until"),
    ({"lock_months": 0}, "lock_months"),
    ({"lock_months": 37}, "lock_months"),
    ({"exit_months": 25}, "exit_months"),
    ({"expected_rate_low": Decimal("0.10"), "expected_rate_high": Decimal("0.05")}, "expected_rate_high"),
    ({"expected_rate_high": Decimal("0.40")}, "expected_rate_high"),
    ({"grades": []}, "grades"),
    ({"grades": ["Z"]}, "grades"),
    ({"max_share_bp": 0}, "max_share_bp"),
    ({"max_share_bp": 10001}, "max_share_bp"),
])
def test_terms_outside_their_range_are_refused_naming_the_field(operator, overrides, field):
    with pytest.raises(ApplicationError) as exc:
        services.define_plan(actor=operator, data=plan_input(**overrides))
    assert exc.value.code == "invalid_plan"
    assert exc.value.extra["field"] == field
    assert not AuditEvent.objects.filter(action="investing.plan_defined").exists()


def test_open_only_a_draft_and_audit_old_and_new_status(make_plan, operator):
    plan = make_plan()
    assert plan.status == PlanStatus.OPEN
    event = AuditEvent.objects.get(action="investing.plan_opened")
    assert (event.old, event.new) == ({"status": "draft"}, {"status": "open"})
    with pytest.raises(Conflict) as exc:
        services.open_plan(actor=operator, plan_id=plan.pk)
    assert exc.value.code == "plan_not_draft"


def test_close_an_open_plan_releases_every_subscribers_money(make_plan, join, operator):
    plan = make_plan()
    sub = join(plan, 1_000_00)
    assert cash(sub.investor) == (0, 1_000_00)
    services.close_plan(actor=operator, plan_id=plan.pk, reason="not enough demand")
    plan.refresh_from_db()
    sub.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert sub.status == SubscriptionStatus.EXITED and sub.uninvested_minor == 0
    assert cash(sub.investor) == (1_000_00, 0)
    assert AuditEvent.objects.get(action="investing.plan_closed").reason == "not enough demand"
    assert_audit_clean()


def test_a_locked_plan_cannot_be_closed_by_hand(make_plan, operator):
    plan = make_plan()
    daily.advance_plans(plan.subscribe_until + timedelta(days=1))
    with pytest.raises(Conflict) as exc:
        services.close_plan(actor=operator, plan_id=plan.pk)
    assert exc.value.code == "plan_not_closable"


def test_dates_drive_lock_in_exit_and_close(make_plan, join):
    plan = make_plan(lock_months=1)
    sub = join(plan, 1_000_00)
    daily.advance_plans(plan.subscribe_until)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.OPEN  # the window's last day still takes subscriptions
    daily.advance_plans(plan.lock_starts_on)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LOCKED and plan.locked_on == plan.lock_starts_on
    daily.advance_plans(plan.lock_ends_on - timedelta(days=1))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.LOCKED
    # At the end of lock-in the investor exits: the uninvested money is released at once; with no notes
    # left to hold to maturity the plan closes on the next run.
    daily.advance_plans(plan.lock_ends_on)
    plan.refresh_from_db()
    sub.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    assert sub.status == SubscriptionStatus.EXITED and sub.ended_on == plan.lock_ends_on
    assert cash(sub.investor) == (1_000_00, 0)
    actions = list(AuditEvent.objects.filter(action__startswith="investing.plan_").values_list("action", flat=True))
    assert actions[-3:] == ["investing.plan_locked", "investing.plan_exiting", "investing.plan_closed"]
    assert_audit_clean()


def test_an_exiting_plan_waits_for_its_notes_to_mature(make_plan, join, listed_loan):
    from peerlend.investing.plans import bidding

    plan = make_plan(lock_months=1, exit_months=24)
    join(plan, 1_000_00)
    loan = listed_loan(amount_minor=10_000_00)
    assert bidding.bid(plan.pk, loan.pk) == 500_00
    daily.advance_plans(plan.lock_ends_on)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.EXITING  # the pending note is held, not sold
    Note.objects.filter(plan_note__plan=plan).update(status="repaid")
    daily.advance_plans(plan.lock_ends_on + timedelta(days=1))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
