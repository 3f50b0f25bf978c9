"""Operators set monthly targets per agent or point: ranges, one owner, audited, replaced in place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from peerlend.accounts.models import Role, User
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError, NotFound, PermissionDenied
from peerlend.marketing.models_staff import StaffTarget
from peerlend.marketing.staff.targets import TargetInput, set_target
from tests.factories import make_staff
from tests.marketing.staff.conftest import MONTH, agent_at, figures, point

pytestmark = pytest.mark.django_db


def _input(**overrides: object) -> TargetInput:
    values = {"month": MONTH, "agent_id": None, "service_point_id": None,
              "values": figures(members_registered=30, amount_originated_minor=500_000_00)}
    values.update(overrides)
    return TargetInput(**values)  # type: ignore[arg-type]


def test_set_and_replace_an_agent_target_is_audited_with_old_and_new(operator: User) -> None:
    agent = agent_at(point())
    first = set_target(actor=operator, data=_input(agent_id=agent.pk))
    again = set_target(actor=operator, data=_input(agent_id=agent.pk, values=figures(members_registered=40)))
    assert first.pk == again.pk and StaffTarget.objects.count() == 1
    again.refresh_from_db()
    assert (again.members_registered, again.amount_originated_minor) == (40, 0)
    events = list(AuditEvent.objects.filter(action="marketing.staff_target_set").order_by("pk"))
    assert len(events) == 2
    assert events[0].old is None and events[1].old["members_registered"] == 30
    assert events[1].new["members_registered"] == 40


def test_point_target(operator: User) -> None:
    p = point()
    target = set_target(actor=operator, data=_input(service_point_id=p.pk))
    assert target.service_point_id == p.pk and target.agent_id is None


def test_only_operators_set_targets() -> None:
    agent = agent_at(point())
    with pytest.raises(PermissionDenied):
        set_target(actor=agent, data=_input(agent_id=agent.pk))
    assert not StaffTarget.objects.exists()


@pytest.mark.parametrize("values", [figures(members_registered=100_001), figures(members_registered=-1),
                                    figures(amount_originated_minor=1_000_000_000_01)])
def test_out_of_range_is_refused(operator: User, values: dict) -> None:
    p = point()
    with pytest.raises(ApplicationError) as err:
        set_target(actor=operator, data=_input(service_point_id=p.pk, values=values))
    assert err.value.code == "target_out_of_range" and err.value.status == 400
    assert not StaffTarget.objects.exists()


def test_exactly_one_owner_and_a_real_agent(operator: User) -> None:
    p = point()
    agent = agent_at(p)
    with pytest.raises(ApplicationError):
        set_target(actor=operator, data=_input(agent_id=agent.pk, service_point_id=p.pk))
    with pytest.raises(ApplicationError):
        set_target(actor=operator, data=_input())
    with pytest.raises(NotFound):
        set_target(actor=operator, data=_input(agent_id=make_staff(Role.RISK_OFFICER).pk))
    with pytest.raises(ApplicationError):
        set_target(actor=operator, data=_input(month=dt.date(2026, 3, 2), service_point_id=p.pk))


def test_the_database_refuses_a_target_out_of_range_or_without_owner(operator: User) -> None:
    p = point()
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffTarget.objects.create(month=MONTH, service_point=p, members_registered=100_001, set_by=operator)
    with pytest.raises(IntegrityError), transaction.atomic():
        StaffTarget.objects.create(month=MONTH, set_by=operator)
