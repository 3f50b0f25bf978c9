"""Operators create and edit service points and assign staff; every change is audited with old and new values."""

from __future__ import annotations

import pytest

from peerlend.accounts.models import AgentMembership, Role
from peerlend.accounts.network import points, selectors
from peerlend.compliance.models import AuditEvent
from peerlend.errors import ApplicationError
from tests.factories import make_staff, make_user

DATA = points.PointInput(code="bj01", name="Chaoyang store", city="Beijing", address="1 Jianguo Rd",
                         opening_hours="Mon-Sat 9-18", phone="010-12345678")


@pytest.fixture
def operator(db: None):
    return make_staff(Role.OPERATOR)


def test_operator_creates_a_point_audited(operator) -> None:
    point = points.create_point(operator, DATA, reason="opening")
    assert point.code == "BJ01" and point.opening_hours == "Mon-Sat 9-18"
    event = AuditEvent.objects.get(action="accounts.service_point_created")
    assert event.new["code"] == "BJ01" and event.new["phone"] == "010-12345678"


def test_a_member_cannot_create_a_point(db: None) -> None:
    with pytest.raises(ApplicationError) as exc:
        points.create_point(make_user(), DATA)
    assert exc.value.code == "forbidden_role"


def test_duplicate_code_is_refused(operator) -> None:
    points.create_point(operator, DATA)
    with pytest.raises(ApplicationError) as exc:
        points.create_point(operator, DATA)
    assert exc.value.code == "service_point_exists"


def test_required_fields(operator) -> None:
    with pytest.raises(ApplicationError) as exc:
        points.create_point(operator, points.PointInput(code="", name="x", city="y"))
    assert exc.value.code == "invalid_service_point"


def test_edit_audits_old_and_new_of_what_changed(operator) -> None:
    point = points.create_point(operator, DATA)
    changed = points.PointInput(**{**DATA.__dict__, "opening_hours": "Daily 8-20", "active": False})
    points.update_point(operator, point.pk, changed, reason="longer hours")
    event = AuditEvent.objects.get(action="accounts.service_point_updated")
    assert event.old == {"opening_hours": "Mon-Sat 9-18", "active": True}
    assert event.new == {"opening_hours": "Daily 8-20", "active": False}


def test_assign_manager_then_remove_audited(operator) -> None:
    point = points.create_point(operator, DATA)
    staff = make_staff(Role.AGENT)
    membership = points.assign_staff(operator, point.pk, staff.username, "manager", reason="new manager")
    assert membership.role == "manager" and membership.active
    points.remove_staff(operator, point.pk, membership.pk, reason="left")
    assert not AgentMembership.objects.get(pk=membership.pk).active
    assigned = AuditEvent.objects.get(action="accounts.point_staff_assigned")
    removed = AuditEvent.objects.get(action="accounts.point_staff_removed")
    assert assigned.old is None and assigned.new["role"] == "manager"
    assert removed.old["active"] is True and removed.new["active"] is False


def test_role_change_keeps_old_role_in_audit(operator) -> None:
    point = points.create_point(operator, DATA)
    staff = make_staff(Role.AGENT)
    points.assign_staff(operator, point.pk, staff.username, "agent")
    points.assign_staff(operator, point.pk, staff.username, "manager")
    last = AuditEvent.objects.filter(action="accounts.point_staff_assigned").order_by("-pk").first()
    assert last.old == {"role": "agent", "active": True} and last.new["role"] == "manager"


def test_only_agents_can_be_assigned(operator) -> None:
    point = points.create_point(operator, DATA)
    with pytest.raises(ApplicationError) as exc:
        points.assign_staff(operator, point.pk, make_user().username, "agent")
    assert exc.value.code == "not_an_agent"


def test_public_locator_filters_city_and_shows_no_staff_pii(operator) -> None:
    point = points.create_point(operator, DATA)
    points.create_point(operator, points.PointInput(code="sh01", name="Pudong", city="Shanghai"))
    staff = make_staff(Role.AGENT)
    staff.email = "agent@example.com"
    staff.save()
    points.assign_staff(operator, point.pk, staff.username, "agent")
    rows = selectors.public_points("beijing")
    assert [r["code"] for r in rows] == ["BJ01"]
    assert [(s.name, s.role) for s in rows[0]["staff"]] == [(staff.username, "agent")]
    assert "agent@example.com" not in repr(rows)
